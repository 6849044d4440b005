using Microsoft.ML.Shira.BaseModels;
using Microsoft.ML.Shira.Checkpoints.HuggingFace;
using Microsoft.ML.Shira.IO.Folders;

namespace Microsoft.ML.Shira;

/// <summary>
/// The pretrained causal language model (decoder) a SHiRA text generator adapts: the embedded <see cref="Stories260K"/>
/// or a LLaMA or GPT-2 model from a Hugging Face folder (<see cref="FromFolder"/>).
/// </summary>
public sealed class ShiraDecoderBaseModel : ShiraBaseModel
{
    private readonly Func<HuggingFaceLoadOptions, PretrainedDecoder> _load;

    private ShiraDecoderBaseModel(string id, Func<HuggingFaceLoadOptions, PretrainedDecoder> load, Func<IModelFileSource>? files)
        : base(id, files)
    {
        _load = load;
    }

    /// <summary>Id of <see cref="Stories260K"/>.</summary>
    public const string Stories260KId = "stories260K";

    /// <summary>
    /// Karpathy's stories260K (Llama-2 architecture, 5 layers, width 64, 260K parameters, trained on TinyStories, MIT),
    /// whose weights and SentencePiece tokenizer ship inside this assembly: no download needed. The default.
    /// Its 512-token vocabulary and tiny size make fine-tuning a matter of seconds on a CPU.
    /// </summary>
    public static ShiraDecoderBaseModel Stories260K { get; } = new(
        Stories260KId, options => PretrainedDecoders.Stories260K(options), PretrainedDecoders.Stories260KFiles);

    /// <summary>
    /// A causal language model from a local Hugging Face folder (<c>config.json</c>, <c>model.safetensors</c> and the
    /// tokenizer files; LLaMA or GPT-2 architectures). Loaded when training starts. Its <see cref="ShiraBaseModel.Id"/> is
    /// the folder's full path. Choose <see cref="ShiraTrainerOptionsBase.TargetModules"/> to match the architecture's
    /// Linear layers (the default names LLaMA's projections).
    /// </summary>
    /// <param name="directory">The model folder.</param>
    /// <exception cref="ArgumentException">The folder does not exist.</exception>
    public static ShiraDecoderBaseModel FromFolder(string directory)
    {
        string full = BaseModelFolders.RequireExisting(directory);
        return new ShiraDecoderBaseModel(full, options => PretrainedDecoders.Load(full, options), () => new DirectoryModelFileSource(full));
    }

    internal override bool IsBuiltIn => ReferenceEquals(this, Stories260K);

    /// <summary>Builds a fresh copy of the decoder and its tokenizer (Float32 on the CPU unless <paramref name="options"/> say otherwise); the caller owns (and disposes) it.</summary>
    internal PretrainedDecoder Load(HuggingFaceLoadOptions? options = null) => _load(options ?? new HuggingFaceLoadOptions());

    /// <summary>The built-in base model with id <paramref name="id"/>, or null.</summary>
    internal static ShiraDecoderBaseModel? FindBuiltIn(string id) => string.Equals(id, Stories260KId, StringComparison.Ordinal) ? Stories260K : null;

    /// <summary>A base model built by <paramref name="load"/> (e.g. from the weights embedded in a model file).</summary>
    internal static ShiraDecoderBaseModel Create(string id, Func<HuggingFaceLoadOptions, PretrainedDecoder> load, Func<IModelFileSource>? files) => new(id, load, files);
}
