using Microsoft.ML.Tokenizers;

namespace Microsoft.ML.Shira.Text;

/// <summary>
/// BERT WordPiece tokenization over a <c>vocab.txt</c> (Microsoft.ML.Tokenizers' <see cref="BertTokenizer"/>) that turns
/// texts or text pairs into padded <c>input_ids</c> / <c>attention_mask</c> / <c>token_type_ids</c>:
/// <c>[CLS] a [SEP]</c> or <c>[CLS] a [SEP] b [SEP]</c>, truncated to <see cref="MaxLength"/> tokens
/// (pairs: longest-first, as Hugging Face does).
/// </summary>
internal sealed class BertTextTokenizer : IEncoderTokenizer
{
    /// <summary>File name of the WordPiece vocabulary in a model folder.</summary>
    public const string VocabFileName = "vocab.txt";

    private readonly byte[] _vocabulary;

    private BertTextTokenizer(BertTokenizer tokenizer, int maxLength, byte[] vocabulary)
    {
        Tokenizer = tokenizer;
        MaxLength = maxLength;
        _vocabulary = vocabulary;
    }

    /// <summary>The underlying WordPiece tokenizer.</summary>
    public BertTokenizer Tokenizer { get; }

    /// <summary>Longest sequence produced, special tokens included.</summary>
    public int MaxLength { get; }

    /// <summary>True when texts are lower-cased (and accents stripped) before WordPiece, as Hugging Face's <c>do_lower_case</c>.</summary>
    public bool LowerCase => Tokenizer.LowerCaseBeforeTokenization;

    /// <summary>The <c>vocab.txt</c> bytes the tokenizer was built from (not copied: do not modify), to save the model folder again.</summary>
    internal byte[] VocabularyBytes => _vocabulary;

    /// <summary>Id of <c>[CLS]</c>.</summary>
    public int ClsTokenId => Tokenizer.ClassificationTokenId;

    /// <summary>Id of <c>[SEP]</c>.</summary>
    public int SepTokenId => Tokenizer.SeparatorTokenId;

    /// <summary>Id of <c>[PAD]</c>.</summary>
    public int PadTokenId => Tokenizer.PaddingTokenId;

    /// <summary>Creates a tokenizer from a WordPiece vocabulary (one token per line).</summary>
    /// <param name="vocab">The <c>vocab.txt</c> contents; read to the end, not disposed.</param>
    /// <param name="lowerCase">Lower-case and strip accents first (uncased models, as Hugging Face's <c>do_lower_case</c>).</param>
    /// <param name="maxLength">Longest sequence to produce, special tokens included (at least 3).</param>
    /// <param name="source">Names the vocabulary in errors.</param>
    /// <exception cref="ShiraFormatException">A token is listed twice, a special token is missing, or the file is otherwise unusable.</exception>
    public static BertTextTokenizer FromVocab(Stream vocab, bool lowerCase = true, int maxLength = 512, string source = "vocab.txt")
    {
        ArgumentNullException.ThrowIfNull(vocab);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 3);
        var options = new BertOptions
        {
            LowerCaseBeforeTokenization = lowerCase,
            RemoveNonSpacingMarks = lowerCase,
        };
        using var copy = new MemoryStream();
        vocab.CopyTo(copy);
        byte[] bytes = copy.ToArray();
        CheckVocabulary(bytes, source);
        try
        {
            return new BertTextTokenizer(BertTokenizer.Create(new MemoryStream(bytes, writable: false), options), maxLength, bytes);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or FormatException or KeyNotFoundException or IndexOutOfRangeException)
        {
            throw new ShiraFormatException($"Tokenizer vocabulary '{source}' cannot be used: {ex.Message}", ex);
        }
    }

    /// <summary>Every line is a distinct token and the special tokens BERT needs are there.</summary>
    private static void CheckVocabulary(byte[] bytes, string source)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        using var reader = new StreamReader(new MemoryStream(bytes, writable: false), new System.Text.UTF8Encoding(false));
        int line = 0;
        while (reader.ReadLine() is { } token)
        {
            line++;
            if (token.Length == 0)
                continue;
            if (!seen.TryAdd(token, line))
                throw new ShiraFormatException($"Tokenizer vocabulary '{source}' lists token '{token}' twice (lines {seen[token]} and {line}).");
        }
        foreach (string special in new[] { "[CLS]", "[SEP]", "[PAD]", "[UNK]" })
        {
            if (!seen.ContainsKey(special))
                throw new ShiraFormatException($"Tokenizer vocabulary '{source}' has no '{special}' token, which BERT needs.");
        }
    }

    /// <summary>Creates a tokenizer from a <c>vocab.txt</c> file.</summary>
    public static BertTextTokenizer FromVocabFile(string path, bool lowerCase = true, int maxLength = 512)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var stream = File.OpenRead(path);
        return FromVocab(stream, lowerCase, maxLength, path);
    }

    /// <summary><c>vocab.txt</c> and a <c>tokenizer_config.json</c> with <see cref="LowerCase"/> and <see cref="MaxLength"/>.</summary>
    public IReadOnlyDictionary<string, byte[]> FolderFiles() => new Dictionary<string, byte[]>(StringComparer.Ordinal)
    {
        [VocabFileName] = _vocabulary,
        [EncoderTokenizerConfig.FileName] = EncoderTokenizerConfig.ToJson("BertTokenizer", MaxLength, new() { ["do_lower_case"] = LowerCase }),
    };

    IEncoderTokenizer IEncoderTokenizer.WithMaxLength(int maxLength) => WithMaxLength(maxLength);

    /// <summary>Returns a tokenizer over the same vocabulary with another maximum length.</summary>
    public BertTextTokenizer WithMaxLength(int maxLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 3);
        return new BertTextTokenizer(Tokenizer, maxLength, _vocabulary);
    }

    /// <summary>
    /// WordPiece ids of <paramref name="text"/> without special tokens and without truncation; lone surrogates count as
    /// U+FFFD (see <see cref="WellFormedText"/>).
    /// </summary>
    public IReadOnlyList<int> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Tokenizer.EncodeToIds(WellFormedText.Repair(text), addSpecialTokens: false);
    }

    /// <summary>The ids of <c>[CLS] text [SEP]</c>, truncated to <see cref="MaxLength"/>.</summary>
    public int[] EncodeToIds(string text) => Template.Apply(EncoderBatch.Truncate(Tokenize(text), MaxLength - Template.SingleCount));

    /// <summary>Tokenizes and pads a batch of single texts.</summary>
    public TokenizedBatch Encode(IReadOnlyList<string> texts, PaddingStrategy padding = PaddingStrategy.Longest) =>
        EncoderBatch.Singles(texts, Tokenize, Template, MaxLength, PadTokenId, padding);

    /// <summary>Tokenizes and pads a batch of text pairs (<c>token_type_ids</c> 1 on the second text).</summary>
    public TokenizedBatch EncodePairs(IReadOnlyList<(string First, string Second)> pairs, PaddingStrategy padding = PaddingStrategy.Longest) =>
        EncoderBatch.Pairs(pairs, Tokenize, Template, MaxLength, PadTokenId, padding, secondTextTypeOne: true);

    /// <summary><c>[CLS] A [SEP]</c> and <c>[CLS] A [SEP] B [SEP]</c>.</summary>
    private SpecialTokenTemplate Template => _template ??= SpecialTokenTemplate.Bert(ClsTokenId, SepTokenId);

    private SpecialTokenTemplate? _template;
}
