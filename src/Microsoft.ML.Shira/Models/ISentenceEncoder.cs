namespace Microsoft.ML.Shira.Models;

/// <summary>
/// A transformer encoder that a text classifier adapts: token ids and a padding mask in, the last hidden state out.
/// Implemented by BERT-layout models (BERT, MiniLM, RoBERTa, XLM-RoBERTa) and DistilBERT.
/// </summary>
internal interface ISentenceEncoder : IHuggingFaceModel
{
    /// <summary>Width of the hidden state.</summary>
    int HiddenSize { get; }

    /// <summary>The module names of every attention and feed-forward projection (PEFT <c>target_modules</c>).</summary>
    IReadOnlyList<string> ProjectionModules { get; }

    /// <summary>Modules that the last hidden state does not depend on (BERT's <c>pooler.dense</c>), so adapting them for it is wasted.</summary>
    IReadOnlyList<string> ModulesOutsideHiddenState { get; }

    /// <summary>Longest input, in tokens, that the position table allows.</summary>
    int MaxTokens { get; }

    /// <summary>
    /// Encodes token ids <c>[B, T]</c> with a 1/0 padding mask and segment ids (ignored by models without token types)
    /// into the last hidden state <c>[B, T, HiddenSize]</c>.
    /// </summary>
    Tensor Encode(Tensor inputIds, Tensor attentionMask, Tensor tokenTypeIds);
}
