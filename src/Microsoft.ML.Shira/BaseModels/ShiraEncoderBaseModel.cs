using Microsoft.ML.Shira.BaseModels;
using Microsoft.ML.Shira.Checkpoints.HuggingFace;
using Microsoft.ML.Shira.IO.Folders;

namespace Microsoft.ML.Shira;

/// <summary>
/// The pretrained encoder a SHiRA text classifier adapts: the embedded <see cref="MiniLmL6V2"/> or a BERT, RoBERTa or
/// DistilBERT model from a Hugging Face folder (<see cref="FromFolder"/>).
/// </summary>
public sealed class ShiraEncoderBaseModel : ShiraBaseModel
{
    private readonly Func<HuggingFaceLoadOptions, PretrainedEncoder> _load;

    private ShiraEncoderBaseModel(string id, Func<HuggingFaceLoadOptions, PretrainedEncoder> load, Func<IModelFileSource>? files)
        : base(id, files)
    {
        _load = load;
    }

    /// <summary>
    /// sentence-transformers' all-MiniLM-L6-v2 (6 layers, width 384, 22.7 M parameters), whose weights ship inside
    /// this assembly: no download needed. The default.
    /// </summary>
    public static ShiraEncoderBaseModel MiniLmL6V2 { get; } = new(PretrainedEncoders.MiniLmL6V2Name, PretrainedEncoders.MiniLmL6V2, files: null);

    /// <summary>
    /// An encoder from a local Hugging Face folder: <c>config.json</c> with <c>model_type</c> <c>bert</c>, <c>roberta</c> or
    /// <c>distilbert</c>, <c>model.safetensors</c> or a sharded index, the tokenizer files (<c>vocab.txt</c> for BERT and
    /// DistilBERT; <c>vocab.json</c> + <c>merges.txt</c> or <c>tokenizer.json</c> for RoBERTa) and optionally
    /// <c>tokenizer_config.json</c> (<c>do_lower_case</c>, <c>model_max_length</c>, special tokens). The default
    /// <c>TargetModules</c> become DistilBERT's own projection names; a pooler, which mean pooling does not use, is not adapted.
    /// Loaded when training starts. Its <see cref="ShiraBaseModel.Id"/> is the folder's full path; a model trained on it
    /// is saved with <c>ShiraSaveOptions.EmbedBaseModel</c>, since this library does not ship it.
    /// </summary>
    /// <param name="directory">The model folder.</param>
    /// <exception cref="ArgumentException">The folder does not exist.</exception>
    public static ShiraEncoderBaseModel FromFolder(string directory)
    {
        string full = BaseModelFolders.RequireExisting(directory);
        return new ShiraEncoderBaseModel(full, options => PretrainedEncoders.Load(full, options), () => new DirectoryModelFileSource(full));
    }

    internal override bool IsBuiltIn => ReferenceEquals(this, MiniLmL6V2);

    /// <summary>Builds a fresh copy of the encoder and its tokenizer (Float32 on the CPU unless <paramref name="options"/> say otherwise); the caller owns (and disposes) it.</summary>
    internal PretrainedEncoder Load(HuggingFaceLoadOptions? options = null) => _load(options ?? new HuggingFaceLoadOptions());

    /// <summary>The built-in base model with this id, or null.</summary>
    internal static ShiraEncoderBaseModel? FindBuiltIn(string id) => string.Equals(id, MiniLmL6V2.Id, StringComparison.Ordinal) ? MiniLmL6V2 : null;

    /// <summary>A base model that is not built in, e.g. one embedded in a saved model file.</summary>
    internal static ShiraEncoderBaseModel Create(string id, Func<HuggingFaceLoadOptions, PretrainedEncoder> load) => new(id, load, files: null);
}
