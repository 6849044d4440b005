using Microsoft.ML.Shira.Runtime;

namespace Microsoft.ML.Shira.Models;

/// <summary>
/// Which keys each query of a decoder may see, and attention over them with libtorch's
/// <c>scaled_dot_product_attention</c>. A plain causal pass (no padding, nothing cached) asks for <c>is_causal</c>, so
/// CUDA can take its flash kernel; any other pattern becomes an additive bias of the query's type (0 where allowed, the
/// type's lowest finite value elsewhere, so a query with no allowed key attends uniformly instead of producing NaN, as
/// the explicit softmax over <c>float.MinValue</c> did). Either way the <c>[batch, heads, query, key]</c> probabilities
/// are never kept for the backward pass, and the softmax accumulates in float32 inside the kernel.
/// Create it inside the model's forward scope (not a layer's): the bias it builds lives there.
/// </summary>
internal sealed class CausalAttention
{
    private readonly Tensor? _bias;

    private CausalAttention(Tensor? bias, bool isCausal)
    {
        _bias = bias;
        IsCausal = isCausal;
    }

    /// <summary>
    /// The keys of <paramref name="length"/> new positions after <paramref name="past"/> cached ones, with an optional
    /// <c>[batch, past + length]</c> padding mask, for queries of type <paramref name="dtype"/>.
    /// </summary>
    public static CausalAttention For(Tensor? attentionMask, long past, long length, ScalarType dtype, Device device)
    {
        if (attentionMask is null && past == 0)
            return new CausalAttention(null, isCausal: length > 1);
        var allowed = CausalPositions.AllowedMask(attentionMask, past, length, device);
        return new CausalAttention(allowed is null ? null : Bias(allowed, dtype), isCausal: false);
    }

    /// <summary>True for a plain causal pass: query i sees keys 0…i and nothing is masked otherwise.</summary>
    public bool IsCausal { get; }

    /// <summary>
    /// Softmax(s·q·kᵀ + mask)·v for <c>[batch, heads, length, head_dim]</c> queries and keys/values already repeated to
    /// the query heads; dropout <paramref name="dropout"/> on the probabilities. The scale s is 1/√head_dim (libtorch's
    /// default) unless <paramref name="scale"/> says otherwise; then the queries are multiplied by s·√head_dim first.
    /// </summary>
    public Tensor Attend(Tensor query, Tensor key, Tensor value, double dropout, double? scale = null)
    {
        double factor = scale is { } s ? s * Math.Sqrt(query.shape[^1]) : 1.0;
        if (Math.Abs(factor - 1.0) > 1e-12)
            query = query.Times(factor);
        return nn.functional.scaled_dot_product_attention(query, key, value, _bias, dropout, IsCausal);
    }

    private static Tensor Bias(Tensor allowed, ScalarType dtype)
    {
        double lowest = torch.finfo(dtype).min;
        var zeros = torch.zeros(allowed.shape, dtype, allowed.device);
        return TorchScalars.With(lowest, value => zeros.masked_fill(allowed.logical_not(), value));
    }
}
