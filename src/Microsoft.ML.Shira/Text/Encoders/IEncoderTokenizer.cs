namespace Microsoft.ML.Shira.Text.Encoders;

/// <summary>
/// The tokenizer side of a sentence encoder: texts or text pairs to padded <c>input_ids</c> / <c>attention_mask</c> /
/// <c>token_type_ids</c> with the encoder's special tokens, truncated to <see cref="MaxLength"/>. Implemented by
/// <see cref="BertTextTokenizer"/> (WordPiece: BERT, DistilBERT, MiniLM) and <see cref="RobertaTextTokenizer"/>
/// (byte-level BPE: RoBERTa).
/// </summary>
internal interface IEncoderTokenizer
{
    /// <summary>Longest sequence produced, special tokens included.</summary>
    int MaxLength { get; }

    /// <summary>A tokenizer over the same vocabulary with another maximum length.</summary>
    IEncoderTokenizer WithMaxLength(int maxLength);

    /// <summary>Ids of <paramref name="text"/> without special tokens and without truncation.</summary>
    IReadOnlyList<int> Tokenize(string text);

    /// <summary>Tokenizes and pads a batch of single texts.</summary>
    TokenizedBatch Encode(IReadOnlyList<string> texts, PaddingStrategy padding = PaddingStrategy.Longest);

    /// <summary>Tokenizes and pads a batch of text pairs (longest-first truncation, as Hugging Face does).</summary>
    TokenizedBatch EncodePairs(IReadOnlyList<(string First, string Second)> pairs, PaddingStrategy padding = PaddingStrategy.Longest);

    /// <summary>The tokenizer files of a Hugging Face model folder that load this tokenizer back (file name → bytes).</summary>
    IReadOnlyDictionary<string, byte[]> FolderFiles();
}
