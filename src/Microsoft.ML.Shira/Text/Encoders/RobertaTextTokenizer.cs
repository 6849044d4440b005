using System.Text.Json.Nodes;
using Microsoft.ML.Shira.IO.Folders;

namespace Microsoft.ML.Shira.Text.Encoders;

/// <summary>
/// RoBERTa's tokenization: GPT-2's byte-level BPE (<see cref="ByteLevelBpeCausalLMTokenizer"/>, over Microsoft.ML.Tokenizers)
/// framed as <c>&lt;s&gt; a &lt;/s&gt;</c> or <c>&lt;s&gt; a &lt;/s&gt;&lt;/s&gt; b &lt;/s&gt;</c>, padded with
/// <c>&lt;pad&gt;</c>, with <c>token_type_ids</c> all 0 (RoBERTa has one token type), as Hugging Face's
/// <c>RobertaTokenizer</c> does.
/// </summary>
internal sealed class RobertaTextTokenizer : IEncoderTokenizer
{
    private const string StartToken = "<s>";
    private const string EndToken = "</s>";
    private const string PadToken = "<pad>";
    private const string UnknownToken = "<unk>";

    private readonly ByteLevelBpeCausalLMTokenizer _bpe;
    private readonly IReadOnlyDictionary<string, byte[]> _files;
    private readonly ByteLevelBpeTokenizerOptions _options;
    private readonly EncoderSpecialTokens _specials;

    private RobertaTextTokenizer(ByteLevelBpeCausalLMTokenizer bpe, ByteLevelBpeTokenizerOptions options, IReadOnlyDictionary<string, byte[]> files, int maxLength)
    {
        _bpe = bpe;
        _options = options;
        _files = files;
        MaxLength = maxLength;
        int Id(string? token) => token is not null && bpe.SpecialTokens.TryGetValue(token, out int id) ? id
            : throw new ShiraFormatException($"Tokenizer {bpe.Source} has no '{token}' token, which RoBERTa needs.");
        _specials = new EncoderSpecialTokens(Id(options.BosToken), Id(options.EosToken), Id(options.PadToken), PairSeparators: 2, SecondSegmentTypeOne: false);
    }

    /// <inheritdoc />
    public int MaxLength { get; }

    /// <summary>Whether a space is prepended to text that does not start with one (<c>add_prefix_space</c>; false for RoBERTa).</summary>
    public bool AddPrefixSpace => _bpe.AddPrefixSpace;

    /// <summary>
    /// Loads the tokenizer of a RoBERTa model folder: <c>vocab.json</c> + <c>merges.txt</c> when present, else
    /// <c>tokenizer.json</c>; the special tokens (default <c>&lt;s&gt;</c>, <c>&lt;/s&gt;</c>, <c>&lt;pad&gt;</c>,
    /// <c>&lt;unk&gt;</c>) and <c>add_prefix_space</c> (else the pre-tokenizer's, false for vocabulary files) from <c>tokenizer_config.json</c> when present.
    /// </summary>
    /// <param name="source">The folder's files.</param>
    /// <param name="maxPositions">Longest sequence the model's position table allows.</param>
    /// <exception cref="ShiraFormatException">No tokenizer files, or a file is malformed or lacks a special token; the message names it.</exception>
    public static RobertaTextTokenizer Load(IModelFileSource source, int maxPositions)
    {
        ArgumentNullException.ThrowIfNull(source);
        var config = EncoderTokenizerConfig.Read(source, maxPositions);
        var read = source.Exists(EncoderTokenizerConfig.FileName)
            ? ByteLevelBpeTokenizerOptions.FromTokenizerConfigJson(System.Text.Encoding.UTF8.GetString(source.ReadAllBytes(EncoderTokenizerConfig.FileName)),
                source.Describe(EncoderTokenizerConfig.FileName))
            : new ByteLevelBpeTokenizerOptions();
        var options = read with
        {
            BosToken = read.BosToken ?? StartToken,
            EosToken = read.EosToken ?? EndToken,
            PadToken = read.PadToken ?? PadToken,
            UnkToken = read.UnkToken ?? UnknownToken,
            AddBosToken = false,
        };
        string vocab = ByteLevelBpeCausalLMTokenizer.VocabFileName, merges = ByteLevelBpeCausalLMTokenizer.MergesFileName;
        string json = ByteLevelBpeCausalLMTokenizer.TokenizerJsonFileName;
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        ByteLevelBpeCausalLMTokenizer bpe;
        if (source.Exists(vocab) && source.Exists(merges))
        {
            files[vocab] = source.ReadAllBytes(vocab);
            files[merges] = source.ReadAllBytes(merges);
            bpe = ByteLevelBpeCausalLMTokenizer.FromVocabAndMerges(files[vocab], files[merges], options, source.Describe(vocab), source.Describe(merges));
        }
        else if (source.Exists(json))
        {
            files[json] = source.ReadAllBytes(json);
            bpe = ByteLevelBpeCausalLMTokenizer.FromTokenizerJson(files[json], options, source.Describe(json));
        }
        else
        {
            throw new ShiraFormatException(
                $"RoBERTa tokenizer not found: neither '{source.Describe(vocab)}' with '{source.Describe(merges)}' nor '{source.Describe(json)}' exists.");
        }
        return new RobertaTextTokenizer(bpe, options, files, config.MaxLength);
    }

    /// <inheritdoc />
    public IEncoderTokenizer WithMaxLength(int maxLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 4);
        return new RobertaTextTokenizer(_bpe, _options, _files, maxLength);
    }

    /// <summary>Byte-level BPE ids of <paramref name="text"/> without special tokens; lone surrogates count as U+FFFD.</summary>
    public IReadOnlyList<int> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return _bpe.Encode(WellFormedText.Repair(text), addBos: false);
    }

    /// <inheritdoc />
    public TokenizedBatch Encode(IReadOnlyList<string> texts, PaddingStrategy padding = PaddingStrategy.Longest) =>
        EncoderBatches.Single(texts, Tokenize, _specials, MaxLength, padding);

    /// <inheritdoc />
    public TokenizedBatch EncodePairs(IReadOnlyList<(string First, string Second)> pairs, PaddingStrategy padding = PaddingStrategy.Longest) =>
        EncoderBatches.Pairs(pairs, Tokenize, _specials, MaxLength, padding);

    /// <summary>The vocabulary files it was read from and a <c>tokenizer_config.json</c> with its special tokens and settings.</summary>
    public IReadOnlyDictionary<string, byte[]> FolderFiles()
    {
        var files = new Dictionary<string, byte[]>(_files, StringComparer.Ordinal)
        {
            [EncoderTokenizerConfig.FileName] = EncoderTokenizerConfig.ToJson("RobertaTokenizer", MaxLength, new JsonObject
            {
                ["bos_token"] = _options.BosToken,
                ["eos_token"] = _options.EosToken,
                ["pad_token"] = _options.PadToken,
                ["unk_token"] = _options.UnkToken,
                ["add_prefix_space"] = AddPrefixSpace,
            }),
        };
        return files;
    }
}
