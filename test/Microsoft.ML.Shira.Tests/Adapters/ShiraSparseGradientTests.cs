using Microsoft.ML.Shira.Adapters.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Tests.Adapters;

/// <summary>The sparse value-gradient path of <see cref="ShiraLinear"/> against the dense autograd reference.</summary>
[TestClass]
public sealed class ShiraSparseGradientTests
{
    [TestMethod]
    [DataRow(ScalarType.Float32, new long[] { 3, 7 }, 24L, 17L, 40L, 0.5, 0L, DisplayName = "float32 [3,7,24]→17, α=0.5, auto chunk")]
    [DataRow(ScalarType.Float32, new long[] { 6 }, 33L, 5L, 1L, 1.0, 0L, DisplayName = "float32 2-D, k=1")]
    [DataRow(ScalarType.Float32, new long[] { 2, 4, 3 }, 8L, 12L, 96L, -1.5, 5L, DisplayName = "float32 4-D, every entry trained, chunk 5 of 24")]
    [DataRow(ScalarType.Float64, new long[] { 2, 11 }, 13L, 9L, 30L, 2.5, 4L, DisplayName = "float64 [2,11,13]→9, α=2.5, chunk 4 of 22")]
    [DataRow(ScalarType.Float64, new long[] { 1, 1 }, 64L, 48L, 300L, 0.01, 1L, DisplayName = "float64 one token, chunk 1")]
    public void SparseGradientsEqualDense(ScalarType dtype, long[] leading, long inFeatures, long outFeatures, long k, double alpha, long chunk)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(17);
        var (sparse, dense) = LayerPair(inFeatures, outFeatures, k, alpha, dtype, generator);
        sparse.GradientChunkTokens = chunk;
        var x = randn(leading.Append(inFeatures).ToArray(), dtype: dtype, generator: generator);
        var upstream = randn(leading.Append(outFeatures).ToArray(), dtype: dtype, generator: generator);

        var (sparseOut, sparseValues, sparseInput) = Gradients(sparse, x, upstream);
        var (denseOut, denseValues, denseInput) = Gradients(dense, x, upstream);

        double rtol = dtype == ScalarType.Float64 ? 1e-10 : 1e-4, atol = dtype == ScalarType.Float64 ? 1e-12 : 1e-5;
        Assert.IsTrue(sparseOut.allclose(denseOut, rtol, atol), "Forward outputs differ.");
        AssertClose(denseValues, sparseValues, rtol, atol, "value gradient");
        AssertClose(denseInput, sparseInput, rtol, atol, "input gradient");
        Assert.AreEqual(dtype, sparseValues.dtype);
    }

    [TestMethod]
    public void SparseGradientsMatchFiniteDifferencesInFloat64()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(5);
        var (layer, _) = LayerPair(inFeatures: 5, outFeatures: 4, k: 6, alpha: 1.7, ScalarType.Float64, generator);
        layer.GradientChunkTokens = 2;
        var x = randn(new long[] { 2, 3, 5 }, dtype: ScalarType.Float64, generator: generator);
        var upstream = randn(new long[] { 2, 3, 4 }, dtype: ScalarType.Float64, generator: generator);
        var (_, valueGrad, inputGrad) = Gradients(layer, x, upstream);

        double Loss()
        {
            using var inner = NewDisposeScope();
            using var noGrad = no_grad();
            return (layer.call(x) * upstream).sum().item<double>();
        }

        const double eps = 1e-6;
        var values = layer.Values;
        for (long i = 0; i < values.shape[0]; i++)
        {
            double numeric = CentralDifference(values, i, eps, Loss);
            Assert.AreEqual(numeric, valueGrad[i].item<double>(), 1e-7, $"∂L/∂v[{i}]");
        }
        var flatX = x.view(-1);
        var flatInputGrad = inputGrad.reshape(-1);
        for (long i = 0; i < flatX.shape[0]; i += 3)
        {
            double numeric = CentralDifference(flatX, i, eps, Loss);
            Assert.AreEqual(numeric, flatInputGrad[i].item<double>(), 1e-7, $"∂L/∂x[{i}]");
        }
    }

    [TestMethod]
    public void EveryChunkSizeGivesTheSameGradient()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(9);
        var (layer, _) = LayerPair(inFeatures: 10, outFeatures: 7, k: 15, alpha: 0.75, ScalarType.Float64, generator);
        var x = randn(new long[] { 2, 5, 10 }, dtype: ScalarType.Float64, generator: generator);
        var upstream = randn(new long[] { 2, 5, 7 }, dtype: ScalarType.Float64, generator: generator);
        layer.GradientChunkTokens = 10;
        var (_, reference, _) = Gradients(layer, x, upstream);
        foreach (long chunk in new long[] { 1, 3, 4, 9, 11, 1000 })
        {
            layer.GradientChunkTokens = chunk;
            var (_, grad, _) = Gradients(layer, x, upstream);
            AssertClose(reference, grad, 1e-12, 1e-14, $"value gradient with chunks of {chunk} tokens");
        }

        var ranges = ShiraSparseLinearFunction.Chunks(10, 4).ToList();
        CollectionAssert.AreEqual(new[] { (0L, 4L), (4L, 4L), (8L, 2L) }, ranges);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => layer.GradientChunkTokens = -1);
    }

    [TestMethod]
    [DataRow(ScalarType.Float32, 1e-5, DisplayName = "float32")]
    [DataRow(ScalarType.Float64, 1e-12, DisplayName = "float64")]
    public void CpuKernelAndGatherPathAgreeForEveryChunkSize(ScalarType dtype, double tolerance)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(31);
        long tokens = 37, outFeatures = 23, inFeatures = 19, k = 60;
        var flat = randperm(outFeatures * inFeatures, generator: generator).narrow(0, 0, k);
        var entries = ShiraPositions.FromTensor(flat, inFeatures);
        var g = randn(new long[] { tokens, outFeatures }, dtype: dtype, generator: generator);
        var x = randn(new long[] { tokens, inFeatures }, dtype: dtype, generator: generator);
        var expected = (g.t().mm(x) * 0.5).view(-1).index_select(0, flat);
        foreach (long chunk in new long[] { 0, 1, 5, 36, 37, 64 })
        {
            var settings = new ShiraSparseLinearSettings(0.5, chunk, ShiraSparseForward.EffectiveWeight, entries, FreeInputAfterBackward: false);
            AssertClose(expected, ShiraSparseLinearFunction.ValueGradient(g, x, flat, settings), tolerance, tolerance, $"CPU kernel, chunk {chunk}");
            AssertClose(expected, ShiraSparseLinearFunction.GatheredValueGradient(g, x, flat, settings), tolerance, tolerance, $"gather path, chunk {chunk}");
        }
        Assert.IsTrue(SampledDotKernel.Supports(g));
        Assert.IsFalse(SampledDotKernel.Supports(ScalarType.Int32), "Only floating-point inputs take the kernel.");
    }

    [TestMethod]
    [DataRow(ScalarType.BFloat16, DisplayName = "bfloat16")]
    [DataRow(ScalarType.Float16, DisplayName = "float16")]
    public void HalfPrecisionInputsAccumulateInFloat32OnBothPaths(ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(41);
        long tokens = 300, outFeatures = 23, inFeatures = 19, k = 60;
        var flat = randperm(outFeatures * inFeatures, generator: generator).narrow(0, 0, k);
        var entries = ShiraPositions.FromTensor(flat, inFeatures);
        var g = randn(new long[] { tokens, outFeatures }, generator: generator).to(dtype);
        var x = randn(new long[] { tokens, inFeatures }, generator: generator).to(dtype);
        // The exact sums of the (already rounded) half-precision inputs, in float64.
        var expected = (g.to(ScalarType.Float64).t().mm(x.to(ScalarType.Float64)) * 0.5).view(-1).index_select(0, flat);
        var settings = new ShiraSparseLinearSettings(0.5, 7, ShiraSparseForward.EffectiveWeight, entries, FreeInputAfterBackward: false);
        var kernel = ShiraSparseLinearFunction.ValueGradient(g, x, flat, settings);
        var gathered = ShiraSparseLinearFunction.GatheredValueGradient(g, x, flat, settings);
        Assert.AreEqual(ScalarType.Float32, kernel.dtype, "The CPU kernel accumulates half-precision inputs in float32.");
        Assert.AreEqual(ScalarType.Float32, gathered.dtype, "The gather path multiplies and sums half-precision inputs in float32.");
        // Products of half-precision numbers are exact in float32; 300 float32 additions stay far below one
        // bfloat16/float16 rounding step of the result (which accumulating in the half type would not).
        AssertClose(expected.to(ScalarType.Float32), kernel, 1e-5, 1e-5, "CPU kernel");
        AssertClose(expected.to(ScalarType.Float32), gathered, 1e-5, 1e-5, "gather path");
        Assert.IsTrue(SampledDotKernel.Supports(g));
    }

    [TestMethod]
    public void FrozenWeightAndBiasGetNoGradientAndUntrackedInputsNone()
    {
        using var scope = NewDisposeScope();
        var (layer, _) = LayerPair(inFeatures: 12, outFeatures: 6, k: 8, alpha: 1.0, ScalarType.Float32, new Generator(2));
        var x = randn(3, 4, 12);
        (layer.call(x) * randn(3, 4, 6)).sum().backward();

        Assert.IsNotNull(layer.Values.grad);
        Assert.IsNull(layer.Weight.grad, "The frozen base weight must receive no gradient.");
        Assert.IsNull(layer.Bias!.grad, "The frozen bias must receive no gradient.");
        Assert.IsFalse(layer.Weight.requires_grad);
        Assert.IsFalse(layer.Bias.requires_grad);
        Assert.IsNull(x.grad, "An input that does not require gradients gets none.");
    }

    [TestMethod]
    public void UnfrozenBiasAndWeightGetTheDenseGradients()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(21);
        var (sparse, dense) = LayerPair(inFeatures: 9, outFeatures: 5, k: 7, alpha: 0.3, ScalarType.Float64, generator);
        var x = randn(new long[] { 4, 9 }, dtype: ScalarType.Float64, generator: generator);
        var upstream = randn(new long[] { 4, 5 }, dtype: ScalarType.Float64, generator: generator);
        sparse.Weight.requires_grad = true;
        sparse.Bias!.requires_grad = true;

        (sparse.call(x) * upstream).sum().backward();
        var sparseWeight = sparse.Weight.grad!.clone();
        var sparseBias = sparse.Bias.grad!.clone();
        sparse.Weight.grad!.zero_();
        sparse.Bias.grad!.zero_();
        (dense.call(x) * upstream).sum().backward(); // The pair shares the base Linear, so this lands in the same grads.

        AssertClose(dense.Weight.grad!, sparseWeight, 1e-12, 1e-14, "weight gradient");
        AssertClose(dense.Bias!.grad!, sparseBias, 1e-12, 1e-14, "bias gradient");
    }

    [TestMethod]
    public void GatheredColumnForwardEqualsEffectiveWeightForward()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(8);
        var (layer, dense) = LayerPair(inFeatures: 20, outFeatures: 30, k: 50, alpha: 1.3, ScalarType.Float64, generator);
        layer.SparseForward = ShiraSparseForward.GatheredColumns;
        layer.GradientChunkTokens = 4;
        var x = randn(new long[] { 3, 5, 20 }, dtype: ScalarType.Float64, generator: generator);
        var upstream = randn(new long[] { 3, 5, 30 }, dtype: ScalarType.Float64, generator: generator);
        var (gatheredOut, gatheredValues, gatheredInput) = Gradients(layer, x, upstream);
        var (denseOut, denseValues, denseInput) = Gradients(dense, x, upstream);
        AssertClose(denseOut, gatheredOut, 1e-12, 1e-12, "output");
        AssertClose(denseValues, gatheredValues, 1e-12, 1e-12, "value gradient");
        AssertClose(denseInput, gatheredInput, 1e-12, 1e-12, "input gradient");
    }

    [TestMethod]
    public void WithoutGradientsTheSparsePathIsThePlainForward()
    {
        using var scope = NewDisposeScope();
        var (sparse, dense) = LayerPair(inFeatures: 16, outFeatures: 8, k: 12, alpha: 2.0, ScalarType.Float32, new Generator(4));
        var x = randn(2, 3, 16);
        using (no_grad())
        {
            var y = sparse.call(x);
            Assert.IsFalse(y.requires_grad);
            Assert.IsTrue(y.allclose(dense.call(x), 0, 0));
        }
    }

    /// <summary>Two wrappers over one base Linear with the same indices and values: one forced sparse, one forced dense.</summary>
    internal static (ShiraLinear Sparse, ShiraLinear Dense) LayerPair(long inFeatures, long outFeatures, long k, double alpha, ScalarType dtype, Generator generator)
    {
        var linear = nn.Linear(inFeatures, outFeatures, dtype: dtype);
        using (no_grad())
        {
            linear.weight!.copy_(randn(new long[] { outFeatures, inFeatures }, dtype: dtype, generator: generator));
            linear.bias!.copy_(randn(new long[] { outFeatures }, dtype: dtype, generator: generator));
        }
        var indices = randperm(inFeatures * outFeatures, generator: generator).narrow(0, 0, k);
        var values = randn(new long[] { k }, dtype: dtype, generator: generator);
        var sparse = new ShiraLinear(linear, indices, alpha, values) { GradientPath = ShiraGradientPath.Sparse };
        var dense = new ShiraLinear(linear, indices, alpha, values) { GradientPath = ShiraGradientPath.Dense };
        Assert.AreEqual(ShiraGradientPath.Sparse, sparse.EffectiveGradientPath, "A forced path is the one used.");
        Assert.AreEqual(ShiraGradientPath.Dense, dense.EffectiveGradientPath, "A forced path is the one used.");
        return (sparse, dense);
    }

    /// <summary>Output, value gradient and input gradient of <c>Σ y·upstream</c>.</summary>
    internal static (Tensor Output, Tensor ValueGrad, Tensor InputGrad) Gradients(ShiraLinear layer, Tensor x, Tensor upstream)
    {
        layer.Values.grad?.zero_();
        var input = x.detach().clone().requires_grad_(true);
        var output = layer.call(input);
        (output * upstream).sum().backward();
        return (output.detach(), layer.Values.grad!.clone(), input.grad!.clone());
    }

    private static double CentralDifference(Tensor flat, long i, double eps, Func<double> loss)
    {
        double original;
        using (no_grad())
        {
            original = flat[i].item<double>();
            flat[i] = original + eps;
        }
        double plus = loss();
        using (no_grad())
            flat[i] = original - eps;
        double minus = loss();
        using (no_grad())
            flat[i] = original;
        return (plus - minus) / (2 * eps);
    }

    private static void AssertClose(Tensor expected, Tensor actual, double rtol, double atol, string what)
    {
        CollectionAssert.AreEqual(expected.shape, actual.shape, $"{what}: shapes differ.");
        double worst = (expected - actual).abs().max().ToDouble();
        Assert.IsTrue(actual.allclose(expected, rtol, atol), $"{what}: max |difference| {worst:E3}.");
    }
}
