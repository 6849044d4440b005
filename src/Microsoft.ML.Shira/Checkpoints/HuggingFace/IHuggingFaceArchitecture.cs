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

    /// <summary>Creates a model (with any initial weights) whose parameter names match the checkpoint's tensor names.</summary>
    /// <exception cref="ShiraFormatException">The config is invalid; the message names <see cref="HuggingFaceConfig.Source"/>.</exception>
    IHuggingFaceModel Create(HuggingFaceConfig config, ScalarType dtype, Device? device);
}
