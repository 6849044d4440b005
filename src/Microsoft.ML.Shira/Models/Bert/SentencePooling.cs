using Microsoft.ML.Shira.Runtime;

namespace Microsoft.ML.Shira.Models.Bert;

/// <summary>Sentence embeddings from token states, as sentence-transformers computes them.</summary>
internal static class SentencePooling
{
    /// <summary>
    /// Masked mean over the sequence: <c>sum(h · m) / max(sum(m), 1e-9)</c>, sentence-transformers' <c>mean</c> pooling.
    /// </summary>
    /// <param name="lastHiddenState">Token states, <c>[B, T, hidden]</c>.</param>
    /// <param name="attentionMask">1 for real tokens, 0 for padding, <c>[B, T]</c>.</param>
    /// <returns>
    /// Sentence embeddings, <c>[B, hidden]</c>: float32 for bfloat16/float16 states (the sum over up to hundreds of
    /// tokens runs in float32, and a float32 head reads it), else the states' type.
    /// </returns>
    public static Tensor Mean(Tensor lastHiddenState, Tensor attentionMask)
    {
        ArgumentNullException.ThrowIfNull(lastHiddenState);
        ArgumentNullException.ThrowIfNull(attentionMask);
        if (lastHiddenState.dim() != 3 || attentionMask.dim() != 2
            || lastHiddenState.shape[0] != attentionMask.shape[0] || lastHiddenState.shape[1] != attentionMask.shape[1])
            throw new ArgumentException(
                $"Expected states [B, T, H] and mask [B, T]; got [{string.Join(", ", lastHiddenState.shape)}] and [{string.Join(", ", attentionMask.shape)}].");
        using var scope = NewDisposeScope();
        var states = lastHiddenState.dtype is ScalarType.BFloat16 or ScalarType.Float16 ? lastHiddenState.to(ScalarType.Float32) : lastHiddenState;
        var mask = attentionMask.to_type(states.dtype).unsqueeze(-1);
        var sum = (states * mask).sum(1);
        var count = TorchScalars.With(1e-9, mask.sum(1).clamp_min);
        return (sum / count).MoveToOuterDisposeScope();
    }

    /// <summary>Scales every row to unit L2 norm (sentence-transformers' <c>Normalize</c> module).</summary>
    /// <param name="embeddings">Embeddings, <c>[B, hidden]</c>.</param>
    public static Tensor Normalize(Tensor embeddings)
    {
        ArgumentNullException.ThrowIfNull(embeddings);
        return nn.functional.normalize(embeddings, p: 2.0, dim: -1);
    }
}
