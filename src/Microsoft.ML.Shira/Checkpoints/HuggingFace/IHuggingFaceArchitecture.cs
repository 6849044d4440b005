using Microsoft.ML.Shira.IO.HuggingFace;
using Microsoft.ML.Shira.Models;

namespace Microsoft.ML.Shira.Checkpoints.HuggingFace;

/// <summary>
/// Builds the model of one Hugging Face <c>model_type</c> from its <c>config.json</c>. Register implementations in
/// <see cref="HuggingFaceArchitectures"/> to let <see cref="HuggingFaceLoader"/> load that model type.
/// </summary>
internal interface IHuggingFaceArchitecture
{
    /// <summary>The <c>model_type</c> handled (<c>llama</c>, <c>gpt2</c>, <c>bert</c>, …).</summary>
    string ModelType { get; }

    /// <summary>
    /// Creates a model (with any initial weights) whose parameter names match the checkpoint's tensor names, its
    /// tensors allocated with <paramref name="dtype"/> directly on <paramref name="device"/> (the CPU when null; the meta
    /// device for a shape check that allocates nothing).
    /// </summary>
    /// <param name="config">The parsed <c>config.json</c>.</param>
    /// <param name="checkpointTensors">
    /// The checkpoint's tensor names, for optional modules that <c>config.json</c> does not describe (BERT's pooler).
    /// </param>
    /// <param name="dtype">Floating-point type of the parameters.</param>
    /// <param name="device">Where the parameters live.</param>
    /// <exception cref="ShiraFormatException">The config is invalid; the message names <see cref="HuggingFaceConfig.Source"/>.</exception>
    IHuggingFaceModel Create(HuggingFaceConfig config, IReadOnlyCollection<string> checkpointTensors, ScalarType dtype, Device? device);
}
