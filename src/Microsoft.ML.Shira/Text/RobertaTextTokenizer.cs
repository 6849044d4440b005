namespace Microsoft.ML.Shira.Text;

/// <summary>
/// RoBERTa's tokenization for encoder models: byte-level BPE (GPT-2's, from <c>vocab.json</c> + <c>merges.txt</c> or
/// <c>tokenizer.json</c>) with <c>&lt;s&gt; a &lt;/s&gt;</c> around a text and <c>&lt;s&gt; a &lt;/s&gt;&lt;/s&gt; b &lt;/s&gt;</c>
/// around a pair (Hugging Face's <c>RobertaProcessing</c>), truncated to <see cref="MaxLength"/> (pairs: longest-first),
/// padded with <c>&lt;pad&gt;</c>. <c>token_type_ids</c> are all 0: RoBERTa has one segment embedding and Hugging Face
/// does not pass them.
/// </summary>
internal sealed partial class RobertaTextTokenizer : IEncoderTokenizer
{
    private readonly ByteLevelBpeEncoder _encoder;
    private readonly IReadOnlyDictionary<string, byte[]> _files;

    private RobertaTextTokenizer(ByteLevelBpeEncoder encoder, SpecialTokenTemplate template, int padTokenId, int maxLength, string source,
        IReadOnlyDictionary<string, byte[]> files)
    {
        _encoder = encoder;
        _files = files;
        Template = template;
        PadTokenId = padTokenId;
        MaxLength = maxLength;
        Source = source;
    }

    /// <summary>The file(s) the tokenizer was read from (for messages).</summary>
    public string Source { get; }

    /// <summary>The special tokens around a text or a pair.</summary>
    public SpecialTokenTemplate Template { get; }

    /// <inheritdoc />
    public int MaxLength { get; }

    /// <inheritdoc />
    public int PadTokenId { get; }

    /// <summary>Whether a space is prepended to text that does not start with one (<c>add_prefix_space</c>).</summary>
    public bool AddPrefixSpace => _encoder.AddPrefixSpace;

    /// <summary>Returns a tokenizer over the same files with another maximum length.</summary>
    public RobertaTextTokenizer WithMaxLength(int maxLength)
    {
        CheckMaxLength(maxLength, Template);
        return new RobertaTextTokenizer(_encoder, Template, PadTokenId, maxLength, Source, _files);
    }

    IEncoderTokenizer IEncoderTokenizer.WithMaxLength(int maxLength) => WithMaxLength(maxLength);

    /// <summary>The files it was read from and a <c>tokenizer_config.json</c> with <see cref="MaxLength"/> and <see cref="AddPrefixSpace"/>.</summary>
    public IReadOnlyDictionary<string, byte[]> FolderFiles() => new Dictionary<string, byte[]>(_files, StringComparer.Ordinal)
    {
        [EncoderTokenizerConfig.FileName] = EncoderTokenizerConfig.ToJson("RobertaTokenizer", MaxLength, new() { ["add_prefix_space"] = AddPrefixSpace }),
    };

    /// <summary>BPE ids of <paramref name="text"/> without special tokens and without truncation.</summary>
    public IReadOnlyList<int> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return _encoder.Encode(text);
    }

    /// <summary>Decodes ids; special tokens come out as their text.</summary>
    public string Decode(IEnumerable<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        return _encoder.Decode(ids);
    }

    /// <inheritdoc />
    public int[] EncodeToIds(string text) => Template.Apply(EncoderBatch.Truncate(Tokenize(text), MaxLength - Template.SingleCount));

    /// <inheritdoc />
    public TokenizedBatch Encode(IReadOnlyList<string> texts, PaddingStrategy padding = PaddingStrategy.Longest) =>
        EncoderBatch.Singles(texts, Tokenize, Template, MaxLength, PadTokenId, padding);

    /// <inheritdoc />
    public TokenizedBatch EncodePairs(IReadOnlyList<(string First, string Second)> pairs, PaddingStrategy padding = PaddingStrategy.Longest) =>
        EncoderBatch.Pairs(pairs, Tokenize, Template, MaxLength, PadTokenId, padding);

    /// <summary>The source of the tokenizer.</summary>
    public override string ToString() => Source;

    private static void CheckMaxLength(int maxLength, SpecialTokenTemplate template) =>
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, template.PairCount + 1);
}
