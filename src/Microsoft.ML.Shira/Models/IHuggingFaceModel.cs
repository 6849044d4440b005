using Microsoft.ML.Shira.Checkpoints.HuggingFace;

namespace Microsoft.ML.Shira.Models;

/// <summary>
/// A model whose parameters are named exactly as in Hugging Face <c>transformers</c>, so that it can be loaded from and
/// exported to a Hugging Face model folder. Every architecture registered in <see cref="HuggingFaceArchitectures"/>
/// creates one.
/// </summary>
public interface IHuggingFaceModel : IDisposable
{
    /// <summary>The <c>model_type</c> written to <c>config.json</c> (<c>llama</c>, <c>gpt2</c>, …).</summary>
    string ModelType { get; }

    /// <summary>The module whose <c>named_parameters()</c> and persistent buffers are the checkpoint tensors.</summary>
    nn.Module Module { get; }

    /// <summary>Element type of the weights.</summary>
    ScalarType DType { get; }

    /// <summary>The <c>config.json</c> text describing this model.</summary>
    string ToConfigJson();

    /// <summary>
    /// True for a checkpoint tensor the model does not hold but that Hugging Face checkpoints may contain
    /// (for example <c>lm_head.weight</c> when the head is tied to the embedding); such tensors are skipped on load.
    /// </summary>
    bool IsIgnoredCheckpointTensor(string name);

    /// <summary>
    /// Maps a tensor name found in a checkpoint to this model's parameter name (for example GPT-2 checkpoints saved from
    /// the bare <c>GPT2Model</c> lack the <c>transformer.</c> prefix). The default keeps the name.
    /// </summary>
    string MapCheckpointTensorName(string name) => name;

    /// <summary>
    /// Module paths whose weight Hugging Face stores transposed, as <c>[in_features, out_features]</c> (the <c>Conv1D</c>
    /// of GPT-2; PEFT calls this <c>fan_in_fan_out</c>), while this model holds a standard <c>Linear</c> weight
    /// <c>[out_features, in_features]</c>. <see cref="HuggingFaceLoader"/> transposes <c>&lt;path&gt;.weight</c> on load,
    /// <see cref="HuggingFaceExporter"/> transposes it back on export, and PEFT adapter files written for such modules
    /// use the stored layout. Empty by default.
    /// </summary>
    IReadOnlySet<string> FanInFanOutModules => NoModules;

    /// <summary>The empty set behind the default <see cref="FanInFanOutModules"/>.</summary>
    private static readonly IReadOnlySet<string> NoModules = new HashSet<string>(StringComparer.Ordinal);
}
