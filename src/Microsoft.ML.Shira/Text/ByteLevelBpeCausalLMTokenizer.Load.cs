using System.Text;
using Microsoft.ML.Shira.Checkpoints.HuggingFace;
using Microsoft.ML.Shira.IO.Folders;

namespace Microsoft.ML.Shira.Text;

internal sealed partial class ByteLevelBpeCausalLMTokenizer
{
    /// <summary>File name of the vocabulary (token → id JSON).</summary>
    public const string VocabFileName = "vocab.json";

    /// <summary>File name of the merges (one <c>left right</c> pair per line).</summary>
    public const string MergesFileName = "merges.txt";

    /// <summary>File name of the <c>tokenizers</c>-library definition.</summary>
    public const string TokenizerJsonFileName = "tokenizer.json";

    /// <summary>File name of the special-token settings.</summary>
    public const string TokenizerConfigFileName = "tokenizer_config.json";

    /// <summary>True when <paramref name="source"/> has <c>tokenizer.json</c>, or <c>vocab.json</c> and <c>merges.txt</c>.</summary>
    public static bool IsPresent(IModelFileSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return source.Exists(TokenizerJsonFileName) || (source.Exists(VocabFileName) && source.Exists(MergesFileName));
    }

    /// <summary>
    /// Loads the byte-level BPE of a model folder: <c>tokenizer.json</c> when present, else <c>vocab.json</c> +
    /// <c>merges.txt</c>; special-token settings from <c>tokenizer_config.json</c> when present.
    /// </summary>
    /// <exception cref="ShiraFormatException">Files missing or malformed; the message names the file.</exception>
    public static ByteLevelBpeCausalLMTokenizer Load(IModelFileSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var options = source.Exists(TokenizerConfigFileName)
            ? ByteLevelBpeTokenizerOptions.FromTokenizerConfigJson(Encoding.UTF8.GetString(source.ReadAllBytes(TokenizerConfigFileName)), source.Describe(TokenizerConfigFileName))
            : new ByteLevelBpeTokenizerOptions();
        if (source.Exists(TokenizerJsonFileName))
            return FromTokenizerJson(source.ReadAllBytes(TokenizerJsonFileName), options, source.Describe(TokenizerJsonFileName));
        if (source.Exists(VocabFileName) && source.Exists(MergesFileName))
            return FromVocabAndMerges(source.ReadAllBytes(VocabFileName), source.ReadAllBytes(MergesFileName), options, source.Describe(VocabFileName), source.Describe(MergesFileName));
        throw new ShiraFormatException(
            $"Byte-level BPE tokenizer not found: neither '{source.Describe(TokenizerJsonFileName)}' nor both '{source.Describe(VocabFileName)}' and '{source.Describe(MergesFileName)}' exist.");
    }

    /// <summary>Loads the tokenizer of the model folder <paramref name="directory"/>.</summary>
    public static ByteLevelBpeCausalLMTokenizer Load(string directory) => Load(new DirectoryModelFileSource(directory));

    /// <summary>Reads <c>vocab.json</c> and <c>merges.txt</c> files.</summary>
    /// <exception cref="ShiraFormatException">A file is missing or malformed; the message names it.</exception>
    public static ByteLevelBpeCausalLMTokenizer FromFiles(string vocabPath, string mergesPath, ByteLevelBpeTokenizerOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(vocabPath);
        ArgumentException.ThrowIfNullOrWhiteSpace(mergesPath);
        return FromVocabAndMerges(ReadFile(vocabPath, "Vocabulary"), ReadFile(mergesPath, "Merges"), options, vocabPath, mergesPath);
    }

    /// <summary>Reads the contents of <c>vocab.json</c> and <c>merges.txt</c>; the sources name them in errors.</summary>
    /// <exception cref="ShiraFormatException">Malformed JSON, a malformed merge line, or a merge of unknown tokens.</exception>
    public static ByteLevelBpeCausalLMTokenizer FromVocabAndMerges(byte[] vocabJson, byte[] mergesText, ByteLevelBpeTokenizerOptions? options = null,
        string vocabSource = VocabFileName, string mergesSource = MergesFileName)
    {
        ArgumentNullException.ThrowIfNull(vocabJson);
        ArgumentNullException.ThrowIfNull(mergesText);
        var definition = ByteLevelBpeFiles.Read(vocabJson, vocabSource, mergesText, mergesSource, Array.Empty<AddedToken>());
        return new ByteLevelBpeCausalLMTokenizer(definition, options ?? new ByteLevelBpeTokenizerOptions());
    }

    /// <summary>Reads a <c>tokenizer.json</c> file.</summary>
    /// <exception cref="ShiraFormatException">The file is missing, malformed, or not a byte-level BPE; the message names it.</exception>
    public static ByteLevelBpeCausalLMTokenizer FromTokenizerJsonFile(string path, ByteLevelBpeTokenizerOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return FromTokenizerJson(ReadFile(path, "Tokenizer"), options, path);
    }

    /// <summary>Reads the contents of a <c>tokenizer.json</c>; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="ShiraFormatException">Malformed, or not a byte-level BPE.</exception>
    public static ByteLevelBpeCausalLMTokenizer FromTokenizerJson(byte[] json, ByteLevelBpeTokenizerOptions? options = null, string source = TokenizerJsonFileName)
    {
        ArgumentNullException.ThrowIfNull(json);
        var definition = HuggingFaceTokenizerJson.Read(json, source);
        return new ByteLevelBpeCausalLMTokenizer(definition, options ?? new ByteLevelBpeTokenizerOptions());
    }

    private static byte[] ReadFile(string path, string kind) =>
        File.Exists(path) ? File.ReadAllBytes(path) : throw new ShiraFormatException($"{kind} file '{path}' does not exist.");
}
