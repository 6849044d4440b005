using System.Text.Json;
using Microsoft.ML.Shira.IO;
using Microsoft.ML.Shira.IO.Folders;
using Microsoft.ML.Tokenizers;

namespace Microsoft.ML.Shira.Text;

/// <summary>
/// XLM-RoBERTa's tokenization for encoder models: the SentencePiece unigram model of its <c>tokenizer.json</c> (whose
/// vocabulary already holds fairseq's ids: <c>&lt;s&gt;</c> 0, <c>&lt;pad&gt;</c> 1, <c>&lt;/s&gt;</c> 2,
/// <c>&lt;unk&gt;</c> 3), encoded by Microsoft.ML.Tokenizers' <see cref="SentencePieceTokenizer"/> (precompiled
/// normalizer, Metaspace), framed as RoBERTa's: <c>&lt;s&gt; a &lt;/s&gt;</c>, <c>&lt;s&gt; a &lt;/s&gt;&lt;/s&gt; b
/// &lt;/s&gt;</c>, padded with <c>&lt;pad&gt;</c>, type ids all 0.
/// </summary>
internal sealed class XlmRobertaTextTokenizer : IEncoderTokenizer
{
    private readonly SentencePieceTokenizer _tokenizer;
    private readonly byte[] _json;

    private XlmRobertaTextTokenizer(SentencePieceTokenizer tokenizer, byte[] json, SpecialTokenTemplate template, int padTokenId, int maxLength, string source)
    {
        _tokenizer = tokenizer;
        _json = json;
        Template = template;
        PadTokenId = padTokenId;
        MaxLength = maxLength;
        Source = source;
    }

    /// <summary>File name of the original SentencePiece model, which is not read (<c>tokenizer.json</c> is).</summary>
    public const string SentencePieceFileName = "sentencepiece.bpe.model";

    /// <summary>The file the tokenizer was read from (for messages).</summary>
    public string Source { get; }

    /// <summary>The special tokens around a text or a pair.</summary>
    public SpecialTokenTemplate Template { get; }

    /// <inheritdoc />
    public int MaxLength { get; }

    /// <inheritdoc />
    public int PadTokenId { get; }

    /// <summary>Loads <c>tokenizer.json</c> of an XLM-RoBERTa folder.</summary>
    /// <exception cref="ShiraFormatException">The folder has no <c>tokenizer.json</c>, or it is not a unigram model with <c>&lt;s&gt;</c>, <c>&lt;/s&gt;</c> and <c>&lt;pad&gt;</c>.</exception>
    public static XlmRobertaTextTokenizer Load(IModelFileSource source, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(source);
        const string json = ByteLevelBpeCausalLMTokenizer.TokenizerJsonFileName;
        if (!source.Exists(json))
            throw new ShiraFormatException(
                $"XLM-RoBERTa tokenizer not found: '{source.Describe(json)}' does not exist. Only tokenizer.json is read ('{SentencePieceFileName}' alone lacks " +
                "fairseq's id layout); save one with transformers' XLMRobertaTokenizerFast.save_pretrained.");
        return FromTokenizerJson(source.ReadAllBytes(json), maxLength, source.Describe(json));
    }

    /// <summary>Reads an XLM-RoBERTa <c>tokenizer.json</c> (a <c>Unigram</c> model).</summary>
    /// <exception cref="ShiraFormatException">Malformed, not a unigram model, or without <c>&lt;s&gt;</c>, <c>&lt;/s&gt;</c> or <c>&lt;pad&gt;</c>.</exception>
    public static XlmRobertaTextTokenizer FromTokenizerJson(byte[] json, int maxLength, string source = ByteLevelBpeCausalLMTokenizer.TokenizerJsonFileName)
    {
        ArgumentNullException.ThrowIfNull(json);
        var ids = SpecialIds(json, source);
        int Id(string token) => ids.TryGetValue(token, out int id) ? id
            : throw new ShiraFormatException($"Tokenizer file '{source}' has no '{token}' token, which XLM-RoBERTa needs.");
        var template = SpecialTokenTemplate.Roberta(Id(RobertaTextTokenizer.ClsToken), Id(RobertaTextTokenizer.SepToken));
        int pad = Id(RobertaTextTokenizer.PadToken);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, template.PairCount + 1);
        SentencePieceTokenizer tokenizer;
        try
        {
            using var stream = new MemoryStream(json, writable: false);
            tokenizer = SentencePieceTokenizer.CreateFromTokenizerJson(stream, addBeginningOfSentence: false, addEndOfSentence: false);
        }
        catch (Exception ex) when (ex is InvalidDataException or NotSupportedException or ArgumentException or JsonException or FormatException)
        {
            throw new ShiraFormatException($"Tokenizer file '{source}' is not a SentencePiece unigram tokenizer Microsoft.ML.Tokenizers can read: {ex.Message}", ex);
        }
        return new XlmRobertaTextTokenizer(tokenizer, json, template, pad, maxLength, $"'{source}'");
    }

    /// <summary>Ids of the pieces of <c>model.vocab</c> (by position) and of <c>added_tokens</c>.</summary>
    private static Dictionary<string, int> SpecialIds(byte[] json, string source)
    {
        using var document = JsonText.ParseDocument(json, $"Tokenizer file '{source}'");
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.Object
            || !model.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String || type.GetString() != "Unigram"
            || !model.TryGetProperty("vocab", out var vocab) || vocab.ValueKind != JsonValueKind.Array)
            throw new ShiraFormatException($"Tokenizer file '{source}': 'model' must be a 'Unigram' model with a 'vocab' array, as XLM-RoBERTa's is.");
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        int index = 0;
        foreach (var entry in vocab.EnumerateArray())
        {
            if (entry.ValueKind == JsonValueKind.Array && entry.GetArrayLength() > 0 && entry[0].ValueKind == JsonValueKind.String)
                ids.TryAdd(entry[0].GetString()!, index);
            index++;
        }
        if (root.TryGetProperty("added_tokens", out var added) && added.ValueKind == JsonValueKind.Array)
        {
            foreach (var token in added.EnumerateArray())
            {
                if (token.ValueKind == JsonValueKind.Object && token.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String
                    && token.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.Number && id.TryGetInt32(out int value))
                    ids[content.GetString()!] = value;
            }
        }
        return ids;
    }

    /// <inheritdoc />
    public IEncoderTokenizer WithMaxLength(int maxLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, Template.PairCount + 1);
        return new XlmRobertaTextTokenizer(_tokenizer, _json, Template, PadTokenId, maxLength, Source);
    }

    /// <summary>Unigram ids of <paramref name="text"/> without special tokens; lone surrogates count as U+FFFD.</summary>
    public IReadOnlyList<int> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return _tokenizer.EncodeToIds(WellFormedText.Repair(text), addBeginningOfSentence: false, addEndOfSentence: false);
    }

    /// <inheritdoc />
    public int[] EncodeToIds(string text) => Template.Apply(EncoderBatch.Truncate(Tokenize(text), MaxLength - Template.SingleCount));

    /// <inheritdoc />
    public TokenizedBatch Encode(IReadOnlyList<string> texts, PaddingStrategy padding = PaddingStrategy.Longest) =>
        EncoderBatch.Singles(texts, Tokenize, Template, MaxLength, PadTokenId, padding);

    /// <inheritdoc />
    public TokenizedBatch EncodePairs(IReadOnlyList<(string First, string Second)> pairs, PaddingStrategy padding = PaddingStrategy.Longest) =>
        EncoderBatch.Pairs(pairs, Tokenize, Template, MaxLength, PadTokenId, padding);

    /// <summary><c>tokenizer.json</c> as read, and a <c>tokenizer_config.json</c> with <see cref="MaxLength"/>.</summary>
    public IReadOnlyDictionary<string, byte[]> FolderFiles() => new Dictionary<string, byte[]>(StringComparer.Ordinal)
    {
        [ByteLevelBpeCausalLMTokenizer.TokenizerJsonFileName] = _json,
        [EncoderTokenizerConfig.FileName] = EncoderTokenizerConfig.ToJson("XLMRobertaTokenizer", MaxLength, new()),
    };

    /// <summary>The source of the tokenizer.</summary>
    public override string ToString() => Source;
}
