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
            return arange(past, past + length, dtype: ScalarType.Int64, device: device).unsqueeze(0).expand(batch, length);
        var real = attentionMask.to(ScalarType.Int64);
        var positions = real.cumsum(-1) - 1;
        positions = positions.masked_fill(real.eq(0), 1);
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
        var queries = arange(past, past + length, dtype: ScalarType.Int64, device: device).unsqueeze(1);
        var keys = arange(0, past + length, dtype: ScalarType.Int64, device: device).unsqueeze(0);
        var allowed = keys.le(queries).unsqueeze(0).unsqueeze(0);
        if (attentionMask is not null)
            allowed = allowed.logical_and(attentionMask.ne(0).unsqueeze(1).unsqueeze(1));
        return allowed;
    }
}
