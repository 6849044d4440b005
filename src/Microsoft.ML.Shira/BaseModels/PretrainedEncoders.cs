using Microsoft.ML.Shira.Checkpoints.HuggingFace;
using Microsoft.ML.Shira.Checkpoints.Onnx;
using Microsoft.ML.Shira.IO;
using Microsoft.ML.Shira.IO.Folders;
using Microsoft.ML.Shira.Models.Bert;
using Microsoft.ML.Shira.Text;

namespace Microsoft.ML.Shira.BaseModels;

/// <summary>Pretrained encoders whose weights ship inside this assembly.</summary>
internal static class PretrainedEncoders
{
    /// <summary>Hugging Face id of <see cref="MiniLmL6V2"/>.</summary>
    public const string MiniLmL6V2Name = "sentence-transformers/all-MiniLM-L6-v2";

    /// <summary>Longest input of all-MiniLM-L6-v2 in sentence-transformers (<c>max_seq_length</c>), in tokens.</summary>
    public const int MiniLmL6V2MaxLength = 256;

    /// <summary>
    /// sentence-transformers' all-MiniLM-L6-v2 (6 layers, 12 heads, width 384, 22.7 M parameters) with its uncased
    /// WordPiece tokenizer (max length <see cref="MiniLmL6V2MaxLength"/>). Each call builds a new model from the
    /// embedded ONNX file.
    /// </summary>
    public static PretrainedEncoder MiniLmL6V2()
    {
        using var onnx = OpenMiniLmL6V2Onnx();
        var model = OnnxBertImporter.LoadModel(onnx);
        try
        {
            using var vocab = OpenMiniLmL6V2Vocab();
            var tokenizer = BertTextTokenizer.FromVocab(vocab, lowerCase: true, maxLength: MiniLmL6V2MaxLength);
            return new PretrainedEncoder(MiniLmL6V2Name, model, tokenizer);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Loads a BERT encoder from a Hugging Face model folder (<c>config.json</c> with <c>model_type</c> <c>bert</c>,
    /// <c>model.safetensors</c> or a sharded index, and <c>vocab.txt</c>; <c>do_lower_case</c> and
    /// <c>model_max_length</c> are read from <c>tokenizer_config.json</c> when present).
    /// </summary>
    /// <exception cref="ShiraFormatException">A file is missing, corrupt or inconsistent; the message names it.</exception>
    public static PretrainedEncoder Load(string directory, HuggingFaceLoadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory)));
        return Load(new DirectoryModelFileSource(directory), name, options);
    }

    /// <summary>Loads a BERT encoder from the files of a Hugging Face model folder, wherever they are stored.</summary>
    /// <param name="source">The folder's files (<c>config.json</c>, weights, <c>vocab.txt</c>, optional <c>tokenizer_config.json</c>).</param>
    /// <param name="name">Name given to the encoder.</param>
    /// <param name="options">Load options (dtype, device).</param>
    /// <exception cref="ShiraFormatException">A file is missing, corrupt or inconsistent; the message names it.</exception>
    internal static PretrainedEncoder Load(IModelFileSource source, string name, HuggingFaceLoadOptions? options = null)
    {
        if (!source.Exists(VocabFileName))
            throw new ShiraFormatException($"Tokenizer vocabulary '{source.Describe(VocabFileName)}' does not exist; a BERT model folder needs vocab.txt.");
        var model = HuggingFaceLoader.Load<BertModel>(source, options);
        try
        {
            var (lowerCase, maxLength) = ReadTokenizerConfig(source, model.Config.MaxPositionEmbeddings);
            using var vocab = new MemoryStream(source.ReadAllBytes(VocabFileName), writable: false);
            return new PretrainedEncoder(name, model, BertTextTokenizer.FromVocab(vocab, lowerCase, maxLength, source.Describe(VocabFileName)));
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>File name of the WordPiece vocabulary in a model folder.</summary>
    internal const string VocabFileName = "vocab.txt";

    /// <summary>File name of the tokenizer settings in a model folder.</summary>
    internal const string TokenizerConfigFileName = "tokenizer_config.json";

    /// <summary>The <c>tokenizer_config.json</c> that <see cref="Load(string, HuggingFaceLoadOptions?)"/> reads back into <paramref name="tokenizer"/>'s settings.</summary>
    internal static string TokenizerConfigJson(BertTextTokenizer tokenizer) =>
        System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["tokenizer_class"] = "BertTokenizer",
            ["do_lower_case"] = tokenizer.LowerCase,
            ["model_max_length"] = tokenizer.MaxLength,
        }, new System.Text.Json.JsonSerializerOptions { WriteIndented = true });

    private static (bool LowerCase, int MaxLength) ReadTokenizerConfig(IModelFileSource source, int maxPositions)
    {
        if (!source.Exists(TokenizerConfigFileName))
            return (true, maxPositions);
        string path = source.Describe(TokenizerConfigFileName);
        using var json = JsonText.ParseDocument(source.ReadAllBytes(TokenizerConfigFileName), $"Tokenizer config '{path}'");
        var root = json.RootElement;
        if (root.ValueKind != System.Text.Json.JsonValueKind.Object)
            throw new ShiraFormatException($"Tokenizer config '{path}' is not a JSON object.");
        bool lower = !root.TryGetProperty("do_lower_case", out var l) || l.ValueKind != System.Text.Json.JsonValueKind.False;
        long v = 0;
        bool given = root.TryGetProperty("model_max_length", out var m) && m.ValueKind == System.Text.Json.JsonValueKind.Number && m.TryGetInt64(out v);
        int max = given && v > 0 && v < maxPositions ? (int)v : maxPositions;
        return (lower, max);
    }

    /// <summary>Opens the embedded ONNX file of all-MiniLM-L6-v2 (PyTorch export; outputs <c>last_hidden_state</c>).</summary>
    public static Stream OpenMiniLmL6V2Onnx() => PretrainedResourceNames.Open(PretrainedResourceNames.MiniLmL6V2Onnx);

    /// <summary>Opens the embedded WordPiece <c>vocab.txt</c> of all-MiniLM-L6-v2.</summary>
    public static Stream OpenMiniLmL6V2Vocab() => PretrainedResourceNames.Open(PretrainedResourceNames.MiniLmL6V2Vocab);
}
