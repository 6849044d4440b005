using Microsoft.ML.Shira.BaseModels;
using Microsoft.ML.Shira.Checkpoints.HuggingFace;
using Microsoft.ML.Shira.IO.Folders;

namespace Microsoft.ML.Shira;

/// <summary>
/// The pretrained causal language model (decoder) a SHiRA text generator adapts. Every adapter of a model was trained
/// on, and only works with, the base model it names (adapters check a fingerprint of the base weights).
/// </summary>
public sealed class ShiraDecoderBaseModel
{
    private readonly Func<PretrainedDecoder> _load;
    private readonly Func<IModelFileSource>? _files;

    private ShiraDecoderBaseModel(string id, Func<PretrainedDecoder> load, Func<IModelFileSource>? files)
    {
        Id = id;
        _load = load;
        _files = files;
    }

    /// <summary>Id of <see cref="Stories260K"/>.</summary>
    public const string Stories260KId = "stories260K";

    /// <summary>
    /// Karpathy's stories260K (Llama-2 architecture, 5 layers, width 64, 260K parameters, trained on TinyStories, MIT),
    /// whose weights and SentencePiece tokenizer ship inside this assembly: no download needed. The default.
    /// Its 512-token vocabulary and tiny size make fine-tuning a matter of seconds on a CPU.
    /// </summary>
    public static ShiraDecoderBaseModel Stories260K { get; } = new(
        Stories260KId, () => PretrainedDecoders.Stories260K(),
        () => new EmbeddedModelFileSource(typeof(PretrainedDecoders).Assembly, PretrainedDecoders.Stories260KResourcePrefix));

    /// <summary>
    /// A causal language model from a local Hugging Face folder (<c>config.json</c>, <c>model.safetensors</c> and the
    /// tokenizer files; LLaMA or GPT-2 architectures). Loaded when training starts. Choose
    /// <see cref="ShiraTrainerOptionsBase.TargetModules"/> to match the architecture's Linear layers
    /// (the default names LLaMA's projections).
    /// </summary>
    /// <param name="directory">The model folder.</param>
    /// <exception cref="ArgumentException">The folder does not exist.</exception>
    public static ShiraDecoderBaseModel FromFolder(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        string full = Path.GetFullPath(directory);
        if (!Directory.Exists(full))
            throw new ArgumentException($"The model folder '{full}' does not exist.", nameof(directory));
        return new ShiraDecoderBaseModel(full, () => PretrainedDecoders.Load(full), () => new DirectoryModelFileSource(full));
    }

    /// <summary>Hugging Face id of the base model or, for a local model, its full folder path (<c>stories260K</c> for the embedded model).</summary>
    public string Id { get; }

    /// <summary>Builds a fresh copy of the decoder and its tokenizer; the caller owns (and disposes) it.</summary>
    internal PretrainedDecoder Load() => _load();

    /// <summary>True when this library ships the model (<see cref="Stories260K"/>), so a model file can refer to it by id.</summary>
    internal bool IsBuiltIn => ReferenceEquals(this, Stories260K);

    /// <summary>The model's original files (tokenizer, configuration), or null when it has none to read (e.g. loaded from a stream).</summary>
    internal IModelFileSource? Files => _files?.Invoke();

    /// <summary>The built-in base model with id <paramref name="id"/>, or null.</summary>
    internal static ShiraDecoderBaseModel? FindBuiltIn(string id) => string.Equals(id, Stories260KId, StringComparison.Ordinal) ? Stories260K : null;

    /// <summary>A base model built by <paramref name="load"/> (e.g. from the weights embedded in a model file).</summary>
    internal static ShiraDecoderBaseModel Create(string id, Func<PretrainedDecoder> load, Func<IModelFileSource>? files) => new(id, load, files);

    /// <inheritdoc />
    public override string ToString() => Id;
}
