namespace Microsoft.ML.Shira.Text;

/// <summary>
/// The tokenizer side of a causal language model: text to ids and back, plus the special ids generation needs.
/// Implemented by <see cref="SentencePieceCausalLMTokenizer"/> (LLaMA) and <see cref="ByteLevelBpeCausalLMTokenizer"/> (GPT-2).
/// </summary>
internal interface ICausalLMTokenizer
{
    /// <summary>Number of ids the tokenizer can produce.</summary>
    int VocabularySize { get; }

    /// <summary>Beginning-of-sequence id, or null when the tokenizer has none.</summary>
    int? BosTokenId { get; }

    /// <summary>End-of-sequence id, or null when the tokenizer has none.</summary>
    int? EosTokenId { get; }

    /// <summary>
    /// Encodes text. With <paramref name="addBos"/>, the BOS id comes first when the tokenizer's convention prepends one
    /// (SentencePiece LLaMA: always; GPT-2 byte-level BPE: only with <c>add_bos_token</c>), and always for empty text.
    /// </summary>
    IReadOnlyList<int> Encode(string text, bool addBos = true);

    /// <summary>Decodes ids to text; with <paramref name="skipSpecialTokens"/>, BOS/EOS/UNK-like control ids produce no text.</summary>
    string Decode(IEnumerable<int> ids, bool skipSpecialTokens = true);
}
