using Microsoft.ML.Shira.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Tests.Layers;

/// <summary>
/// The decoders' attention through libtorch's scaled_dot_product_attention against the explicit formula
/// softmax(q·kᵀ/√d + mask)·v computed here in float64: plain causal, padded and cached patterns, outputs and gradients,
/// and a query that may see no key (left padding) attends uniformly instead of producing NaN.
/// </summary>
[TestClass]
public sealed class CausalAttentionTests
{
    private const long Batch = 2, Heads = 3, HeadDim = 8;

    [TestMethod]
    [DataRow(ScalarType.Float32, 1e-5)]
    [DataRow(ScalarType.BFloat16, 2e-2)]
    public void MatchesTheExplicitSoftmaxForCausalPaddedAndCachedPatterns(ScalarType dtype, double tolerance)
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        // Plain causal (6 new positions), right padding, left padding (a query that sees nothing), and 4 new after 3 cached.
        Check(null, past: 0, length: 6, dtype, tolerance);
        Check(tensor(new long[] { 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0 }, [2, 6]), past: 0, length: 6, dtype, tolerance);
        Check(tensor(new long[] { 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 }, [2, 6]), past: 0, length: 6, dtype, tolerance);
        Check(null, past: 3, length: 4, dtype, tolerance);
        Check(tensor(new long[] { 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1 }, [2, 7]), past: 3, length: 4, dtype, tolerance);
    }

    [TestMethod]
    public void AScaleOtherThanOneOverRootHeadDimIsApplied()
    {
        // GPT-2's scale_attn_weights = false and scale_attn_by_inverse_layer_idx change the scale.
        using var scope = NewDisposeScope();
        manual_seed(5);
        var q = randn(Batch, Heads, 5, HeadDim);
        var k = randn(Batch, Heads, 5, HeadDim);
        var v = randn(Batch, Heads, 5, HeadDim);
        foreach (double scale in new[] { 1.0, 0.05, 1.0 / Math.Sqrt(HeadDim) / 3 })
        {
            var actual = CausalAttention.For(null, past: 0, length: 5, ScalarType.Float32, CPU).Attend(q, k, v, dropout: 0.0, scale);
            var expected = Explicit(q.to(ScalarType.Float64), k.to(ScalarType.Float64), v.to(ScalarType.Float64), null, past: 0, length: 5, scale);
            AssertClose(expected, actual, 1e-5, $"scale {scale}");
        }
    }

    [TestMethod]
    public void APlainCausalPassAsksForIsCausalAndOthersForAMask()
    {
        using var scope = NewDisposeScope();
        Assert.IsTrue(CausalAttention.For(null, past: 0, length: 5, ScalarType.Float32, CPU).IsCausal);
        Assert.IsFalse(CausalAttention.For(null, past: 0, length: 1, ScalarType.Float32, CPU).IsCausal);
        Assert.IsFalse(CausalAttention.For(null, past: 2, length: 3, ScalarType.Float32, CPU).IsCausal);
        Assert.IsFalse(CausalAttention.For(ones(1, 5, dtype: ScalarType.Int64), past: 0, length: 5, ScalarType.Float32, CPU).IsCausal);
    }

    private static void Check(Tensor? mask, long past, long length, ScalarType dtype, double tolerance)
    {
        long keys = past + length;
        var q = randn(Batch, Heads, length, HeadDim).to(dtype).requires_grad_();
        var k = randn(Batch, Heads, keys, HeadDim).to(dtype).requires_grad_();
        var v = randn(Batch, Heads, keys, HeadDim).to(dtype).requires_grad_();
        // A query that may see no key is a padding position: training never takes a loss there, so its output gets no
        // gradient here either (its forward value is still checked).
        var weights = randn(Batch, Heads, length, HeadDim, dtype: ScalarType.Float64) * SeesAKey(mask, past, length).unsqueeze(-1);

        var output = CausalAttention.For(mask, past, length, dtype, CPU).Attend(q, k, v, dropout: 0.0);
        Assert.AreEqual(dtype, output.dtype);
        Assert.IsFalse(output.isnan().any().item<bool>(), "no NaN, even for a query that may see no key");
        (output.to(ScalarType.Float64) * weights).sum().backward();

        var q64 = q.detach().to(ScalarType.Float64).requires_grad_();
        var k64 = k.detach().to(ScalarType.Float64).requires_grad_();
        var v64 = v.detach().to(ScalarType.Float64).requires_grad_();
        var expected = Explicit(q64, k64, v64, mask, past, length);
        (expected * weights).sum().backward();

        string pattern = $"{(mask is null ? "no padding" : "padding " + string.Join("", mask.data<long>().ToArray()))}, past {past}, length {length}";
        AssertClose(expected, output, tolerance, pattern + ": output");
        AssertClose(q64.grad!, q.grad!, tolerance, pattern + ": query gradient");
        AssertClose(k64.grad!, k.grad!, tolerance, pattern + ": key gradient");
        AssertClose(v64.grad!, v.grad!, tolerance, pattern + ": value gradient");
    }

    /// <summary>1.0 for a query that may see at least one key, else 0.0: <c>[batch or 1, 1, length]</c>.</summary>
    private static Tensor SeesAKey(Tensor? mask, long past, long length) =>
        Allowed(mask, past, length).any(-1).to(ScalarType.Float64);

    private static Tensor Allowed(Tensor? mask, long past, long length)
    {
        var queryPositions = arange(past, past + length, dtype: ScalarType.Int64).unsqueeze(1);
        var keyPositions = arange(0, past + length, dtype: ScalarType.Int64).unsqueeze(0);
        var allowed = keyPositions.le(queryPositions).unsqueeze(0).unsqueeze(0);
        return mask is null ? allowed : allowed.logical_and(mask.ne(0L).unsqueeze(1).unsqueeze(1));
    }

    /// <summary>softmax(q·kᵀ/√d) over the keys a query may see (causal with <paramref name="past"/> cached keys, not padding); uniform over all keys when it may see none.</summary>
    private static Tensor Explicit(Tensor q, Tensor k, Tensor v, Tensor? mask, long past, long length, double? scale = null)
    {
        long keys = past + length;
        var allowed = Allowed(mask, past, length);
        var scores = matmul(q, k.transpose(2, 3)) * (scale ?? 1.0 / Math.Sqrt(HeadDim));
        var none = allowed.logical_not().all(-1, keepdim: true);
        var visible = allowed.logical_or(none);
        var probabilities = scores.masked_fill(visible.logical_not(), double.NegativeInfinity).softmax(-1);
        // A query that may see no key: the lowest-value bias leaves every score equal, so it averages all values.
        probabilities = where(none, full_like(probabilities, 1.0 / keys), probabilities);
        return matmul(probabilities, v);
    }

    private static void AssertClose(Tensor expected, Tensor actual, double tolerance, string what)
    {
        double scale = Math.Max(1.0, expected.abs().max().item<double>());
        double difference = (actual.to(ScalarType.Float64) - expected).abs().max().item<double>();
        Assert.IsLessThanOrEqualTo(tolerance * scale, difference, $"{what}: max difference {difference:E2}");
    }
}
