using Microsoft.ML.Shira.Runtime;

namespace Microsoft.ML.Shira.Models;

/// <summary>Position ids and causal attention masks shared by the decoder-only models.</summary>
internal static class CausalPositions
{
    /// <summary>
    /// Int64 position ids <c>[batch, length]</c> of the new tokens. Without a mask they continue after the
    /// <paramref name="past"/> cached positions; with a <c>[batch, past + length]</c> mask they count real tokens only
    /// (padding gets position 1), as Hugging Face generation computes them.
    /// </summary>
    public static Tensor PositionIds(Tensor? attentionMask, long batch, long past, long length, Device device)
    {
        if (attentionMask is null)
            return TorchScalars.Range(past, past + length, device).unsqueeze(0).expand(batch, length);
        var real = attentionMask.to(ScalarType.Int64);
        var counted = real.cumsum(-1).Minus(1L);
        var positions = TorchScalars.With(0L, zero => TorchScalars.With(1L, one => counted.masked_fill(real.eq(zero), one)));
        return positions.narrow(1, past, length);
    }

    /// <summary>
    /// Boolean <c>[batch or 1, 1, length, past + length]</c>, true where a query may see a key (causal and not padding);
    /// null when every key is allowed (one new token, no mask).
    /// </summary>
    public static Tensor? AllowedMask(Tensor? attentionMask, long past, long length, Device device)
    {
        if (attentionMask is null && length == 1)
            return null;
        var queries = TorchScalars.Range(past, past + length, device).unsqueeze(1);
        var keys = TorchScalars.Range(0, past + length, device).unsqueeze(0);
        var allowed = keys.le(queries).unsqueeze(0).unsqueeze(0);
        if (attentionMask is not null)
            allowed = allowed.logical_and(TorchScalars.With(0L, attentionMask.ne).unsqueeze(1).unsqueeze(1));
        return allowed;
    }
}
