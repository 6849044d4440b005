namespace Microsoft.ML.Shira.Text;

/// <summary>The int64 <c>[B, T]</c> tensors a BERT encoder takes. Owns them: dispose when done.</summary>
internal sealed class BertInputs : IDisposable
{
    internal BertInputs(Tensor inputIds, Tensor attentionMask, Tensor tokenTypeIds)
    {
        InputIds = inputIds;
        AttentionMask = attentionMask;
        TokenTypeIds = tokenTypeIds;
    }

    /// <summary>Token ids, <c>[B, T]</c>.</summary>
    public Tensor InputIds { get; }

    /// <summary>1 for real tokens, 0 for padding, <c>[B, T]</c>.</summary>
    public Tensor AttentionMask { get; }

    /// <summary>Segment ids (0 for the first text, 1 for the second of a pair), <c>[B, T]</c>.</summary>
    public Tensor TokenTypeIds { get; }

    /// <summary>Disposes the three tensors.</summary>
    public void Dispose()
    {
        InputIds.Dispose();
        AttentionMask.Dispose();
        TokenTypeIds.Dispose();
    }
}
