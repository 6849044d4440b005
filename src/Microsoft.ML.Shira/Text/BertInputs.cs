namespace Microsoft.ML.Shira.Text;

/// <summary>The int64 <c>[B, T]</c> tensors a BERT encoder takes. Owns them: dispose when done.</summary>
/// <param name="InputIds">Token ids, <c>[B, T]</c>.</param>
/// <param name="AttentionMask">1 for real tokens, 0 for padding, <c>[B, T]</c>.</param>
/// <param name="TokenTypeIds">Segment ids (0 for the first text, 1 for the second of a pair), <c>[B, T]</c>.</param>
internal sealed record BertInputs(Tensor InputIds, Tensor AttentionMask, Tensor TokenTypeIds) : IDisposable
{
    /// <summary>Disposes the three tensors.</summary>
    public void Dispose()
    {
        InputIds.Dispose();
        AttentionMask.Dispose();
        TokenTypeIds.Dispose();
    }
}
