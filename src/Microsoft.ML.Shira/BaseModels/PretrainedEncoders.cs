using Microsoft.ML.Shira.Checkpoints.HuggingFace;
using Microsoft.ML.Shira.Checkpoints.Onnx;
using Microsoft.ML.Shira.IO;
using Microsoft.ML.Shira.IO.Folders;
using Microsoft.ML.Shira.Models;
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
    /// embedded ONNX file (float32), converted to the <paramref name="options"/>' type and device when they differ.
    /// </summary>
    public static PretrainedEncoder MiniLmL6V2(HuggingFaceLoadOptions? options = null)
    {
        using var onnx = OpenMiniLmL6V2Onnx();
        var model = OnnxBertImporter.LoadModel(onnx);
        try
        {
            if (options is not null)
                model.Module.to(options.DType).to(options.Device ?? CPU);
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
    /// Loads an encoder from a Hugging Face model folder: <c>config.json</c> with a <c>model_type</c> of
    /// <see cref="EncoderModelTypes"/>, <c>model.safetensors</c> or a sharded index, and the tokenizer files of its
    /// family (see <see cref="EncoderTokenizers.Load"/>).
    /// </summary>
    /// <exception cref="ShiraFormatException">A file is missing, corrupt or inconsistent, or the model is not an encoder; the message names it.</exception>
    public static PretrainedEncoder Load(string directory, HuggingFaceLoadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory)));
        return Load(new DirectoryModelFileSource(directory), name, options);
    }

    /// <summary>The <c>model_type</c>s a text classifier can adapt.</summary>
    public static IReadOnlyList<string> EncoderModelTypes { get; } = ["bert", "roberta", "distilbert", "xlm-roberta"];

    /// <summary>
    /// Loads an encoder from the files of a Hugging Face model folder, wherever they are stored. The tokenizer is read
    /// before the weights, so a folder without one fails before a large model is loaded.
    /// </summary>
    /// <param name="source">The folder's files (<c>config.json</c>, weights, tokenizer files).</param>
    /// <param name="name">Name given to the encoder.</param>
    /// <param name="options">Load options (dtype, device).</param>
    /// <exception cref="ShiraFormatException">A file is missing, corrupt or inconsistent, or the model is not an encoder; the message names it.</exception>
    internal static PretrainedEncoder Load(IModelFileSource source, string name, HuggingFaceLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        string modelType = HuggingFaceLoader.ReadConfig(source).ModelType;
        if (!EncoderModelTypes.Contains(modelType, StringComparer.Ordinal))
            throw new ShiraFormatException(
                $"Config file '{source.Describe(HuggingFaceLoader.ConfigFileName)}' describes a '{modelType}' model, which is not an encoder a text classifier " +
                $"can adapt (supported: {string.Join(", ", EncoderModelTypes)}; text generation adapts decoders).");
        var tokenizer = EncoderTokenizers.Load(source, modelType, maxTokens: int.MaxValue);
        var model = HuggingFaceLoader.Load<ISentenceEncoder>(source, options);
        return new PretrainedEncoder(name, model, tokenizer.MaxLength > model.MaxTokens ? tokenizer.WithMaxLength(model.MaxTokens) : tokenizer);
    }

    /// <summary>Opens the embedded ONNX file of all-MiniLM-L6-v2 (PyTorch export; outputs <c>last_hidden_state</c>).</summary>
    public static Stream OpenMiniLmL6V2Onnx() => PretrainedResourceNames.Open(PretrainedResourceNames.MiniLmL6V2Onnx);

    /// <summary>Opens the embedded WordPiece <c>vocab.txt</c> of all-MiniLM-L6-v2.</summary>
    public static Stream OpenMiniLmL6V2Vocab() => PretrainedResourceNames.Open(PretrainedResourceNames.MiniLmL6V2Vocab);
}
