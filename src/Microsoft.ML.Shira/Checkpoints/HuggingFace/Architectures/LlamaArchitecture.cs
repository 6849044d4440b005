using Microsoft.ML.Shira.IO.HuggingFace;
using Microsoft.ML.Shira.Models;
using Microsoft.ML.Shira.Models.Llama;

namespace Microsoft.ML.Shira.Checkpoints.HuggingFace.Architectures;

/// <summary>Builds <see cref="LlamaForCausalLM"/> for a <c>model_type</c> of the LLaMA layout (<see cref="LlamaConfig.Family"/>).</summary>
internal sealed class LlamaArchitecture(string modelType) : IHuggingFaceArchitecture
{
    /// <inheritdoc />
    public string ModelType { get; } = modelType;

    /// <inheritdoc />
    public IHuggingFaceModel Create(HuggingFaceConfig config, IReadOnlyCollection<string> checkpointTensors, ScalarType dtype, Device? device) =>
        new LlamaForCausalLM(LlamaConfig.FromHuggingFace(config), dtype, device);
}
