using System.Text;
using Microsoft.ML.Shira.Checkpoints.HuggingFace;
using Microsoft.ML.Shira.IO.Folders;

namespace Microsoft.ML.Shira.Text;

internal sealed partial class RobertaTextTokenizer
{
    /// <summary>RoBERTa's beginning-of-sequence / classification token.</summary>
    public const string ClsToken = "<s>";

    /// <summary>RoBERTa's separator / end-of-sequence token.</summary>
    public const string SepToken = "</s>";

    /// <summary>RoBERTa's padding token.</summary>
    public const string PadToken = "<pad>";

    /// <summary>
    /// Loads the tokenizer of a RoBERTa model folder: <c>tokenizer.json</c> when present (its post-processor gives the
    /// special tokens), else <c>vocab.json</c> + <c>merges.txt</c> with <c>add_prefix_space</c> from
    /// <c>tokenizer_config.json</c> when present.
    /// </summary>
    /// <exception cref="ShiraFormatException">Files missing or malformed, or without RoBERTa's special tokens; the message names the file.</exception>
    public static RobertaTextTokenizer Load(IModelFileSource source, int maxLength = 512)
    {
        ArgumentNullException.ThrowIfNull(source);
        const string json = ByteLevelBpeCausalLMTokenizer.TokenizerJsonFileName, vocab = ByteLevelBpeCausalLMTokenizer.VocabFileName;
        const string merges = ByteLevelBpeCausalLMTokenizer.MergesFileName, config = ByteLevelBpeCausalLMTokenizer.TokenizerConfigFileName;
        if (source.Exists(json))
            return FromTokenizerJson(source.ReadAllBytes(json), maxLength, source.Describe(json));
        if (source.Exists(vocab) && source.Exists(merges))
        {
            bool? prefix = source.Exists(config)
                ? ByteLevelBpeTokenizerOptions.FromTokenizerConfigJson(Encoding.UTF8.GetString(source.ReadAllBytes(config)), source.Describe(config)).AddPrefixSpace
                : null;
            return FromVocabAndMerges(source.ReadAllBytes(vocab), source.ReadAllBytes(merges), maxLength, prefix ?? false, source.Describe(vocab), source.Describe(merges));
        }
        throw new ShiraFormatException(
            $"RoBERTa tokenizer not found: neither '{source.Describe(json)}' nor both '{source.Describe(vocab)}' and '{source.Describe(merges)}' exist.");
    }

    /// <summary>Loads the tokenizer of the model folder <paramref name="directory"/>.</summary>
    public static RobertaTextTokenizer Load(string directory, int maxLength = 512) => Load(new DirectoryModelFileSource(directory), maxLength);

    /// <summary>
    /// Reads a RoBERTa <c>tokenizer.json</c>: a byte-level BPE (see <see cref="HuggingFaceTokenizerJson"/>) whose
    /// post-processor adds the special tokens (<c>RobertaProcessing</c>, or an equivalent <c>TemplateProcessing</c>).
    /// </summary>
    /// <exception cref="ShiraFormatException">Malformed, not a byte-level BPE, without a post-processor, or without <c>&lt;pad&gt;</c>.</exception>
    public static RobertaTextTokenizer FromTokenizerJson(byte[] json, int maxLength = 512, string source = ByteLevelBpeCausalLMTokenizer.TokenizerJsonFileName)
    {
        ArgumentNullException.ThrowIfNull(json);
        var definition = HuggingFaceTokenizerJson.Read(json, source);
        var template = definition.Template
            ?? throw new ShiraFormatException($"Tokenizer file '{source}': 'post_processor' adds no special tokens; an encoder needs RobertaProcessing (<s> … </s>) or TemplateProcessing.");
        var special = definition.AddedTokens.ToDictionary(t => t.Content, t => t.Id, StringComparer.Ordinal);
        int pad = special.TryGetValue(PadToken, out int id) || definition.Vocabulary.TryGetValue(PadToken, out id)
            ? id
            : throw new ShiraFormatException($"Tokenizer file '{source}' has no '{PadToken}' token (in 'added_tokens' or 'model.vocab') to pad with.");
        CheckMaxLength(maxLength, template);
        return new RobertaTextTokenizer(new ByteLevelBpeEncoder(definition, special, definition.AddPrefixSpace), template, pad, maxLength, $"'{source}'",
            new Dictionary<string, byte[]>(StringComparer.Ordinal) { [ByteLevelBpeCausalLMTokenizer.TokenizerJsonFileName] = json });
    }

    /// <summary>
    /// Reads RoBERTa's slow-tokenizer files: <c>vocab.json</c> must hold <c>&lt;s&gt;</c>, <c>&lt;/s&gt;</c> and
    /// <c>&lt;pad&gt;</c>; those, <c>&lt;unk&gt;</c> and <c>&lt;mask&gt;</c> (which swallows the space before it, as in
    /// Hugging Face) are matched in text as special tokens.
    /// </summary>
    /// <exception cref="ShiraFormatException">Malformed files, or a special token missing from the vocabulary.</exception>
    public static RobertaTextTokenizer FromVocabAndMerges(byte[] vocabJson, byte[] mergesText, int maxLength = 512, bool addPrefixSpace = false,
        string vocabSource = ByteLevelBpeCausalLMTokenizer.VocabFileName, string mergesSource = ByteLevelBpeCausalLMTokenizer.MergesFileName)
    {
        ArgumentNullException.ThrowIfNull(vocabJson);
        ArgumentNullException.ThrowIfNull(mergesText);
        var vocabulary = ByteLevelBpeFiles.ReadVocabulary(vocabJson, vocabSource);
        int Required(string token) => vocabulary.TryGetValue(token, out int id)
            ? id
            : throw new ShiraFormatException($"Vocabulary file '{vocabSource}' has no '{token}' token, which RoBERTa needs.");
        int cls = Required(ClsToken), sep = Required(SepToken), pad = Required(PadToken);
        var added = new List<AddedToken> { new(ClsToken, cls, true), new(SepToken, sep, true), new(PadToken, pad, true) };
        if (vocabulary.TryGetValue("<unk>", out int unk))
            added.Add(new AddedToken("<unk>", unk, true));
        if (vocabulary.TryGetValue("<mask>", out int mask))
            added.Add(new AddedToken("<mask>", mask, true) { LStrip = true });
        var definition = ByteLevelBpeFiles.Read(vocabJson, vocabSource, mergesText, mergesSource, added);
        var template = SpecialTokenTemplate.Roberta(cls, sep);
        CheckMaxLength(maxLength, template);
        var special = added.ToDictionary(t => t.Content, t => t.Id, StringComparer.Ordinal);
        return new RobertaTextTokenizer(new ByteLevelBpeEncoder(definition, special, addPrefixSpace), template, pad, maxLength, definition.Source,
            new Dictionary<string, byte[]>(StringComparer.Ordinal)
            {
                [ByteLevelBpeCausalLMTokenizer.VocabFileName] = vocabJson,
                [ByteLevelBpeCausalLMTokenizer.MergesFileName] = mergesText,
            });
    }
}
