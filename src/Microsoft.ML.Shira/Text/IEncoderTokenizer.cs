namespace Microsoft.ML.Shira.Text;

/// <summary>
/// The tokenizer side of an encoder (classifier) model: texts or text pairs to padded <c>input_ids</c> /
/// <c>attention_mask</c> / <c>token_type_ids</c>, with the model's special tokens around them and truncation to
/// <see cref="MaxLength"/> (pairs: longest-first, as Hugging Face does). Implemented by <see cref="BertTextTokenizer"/>
/// (<c>[CLS] a [SEP] b [SEP]</c>, type ids 0 then 1) and <see cref="RobertaTextTokenizer"/>
/// (<c>&lt;s&gt; a &lt;/s&gt;&lt;/s&gt; b &lt;/s&gt;</c>, type ids all 0).
/// </summary>
internal interface IEncoderTokenizer
{
    /// <summary>Longest sequence produced, special tokens included.</summary>
    int MaxLength { get; }

    /// <summary>The id padding positions hold (their attention mask is 0).</summary>
    int PadTokenId { get; }

    /// <summary>A tokenizer over the same files with another maximum length.</summary>
    IEncoderTokenizer WithMaxLength(int maxLength);

    /// <summary>Ids of <paramref name="text"/> without special tokens and without truncation.</summary>
    IReadOnlyList<int> Tokenize(string text);

    /// <summary>
    /// The tokenizer files of a Hugging Face model folder that load this tokenizer back (file name → bytes), with a
    /// <c>tokenizer_config.json</c> recording <see cref="MaxLength"/>.
    /// </summary>
    IReadOnlyDictionary<string, byte[]> FolderFiles();

    /// <summary>The ids of one text with its special tokens, truncated to <see cref="MaxLength"/>.</summary>
    int[] EncodeToIds(string text);

    /// <summary>Tokenizes and pads a batch of single texts.</summary>
    /// <exception cref="ArgumentException">The batch is empty or holds a null text.</exception>
    TokenizedBatch Encode(IReadOnlyList<string> texts, PaddingStrategy padding = PaddingStrategy.Longest);

    /// <summary>Tokenizes and pads a batch of text pairs.</summary>
    /// <exception cref="ArgumentException">The batch is empty.</exception>
    TokenizedBatch EncodePairs(IReadOnlyList<(string First, string Second)> pairs, PaddingStrategy padding = PaddingStrategy.Longest);
}
