using Microsoft.ML.Shira.IO.HuggingFace;
using Microsoft.ML.Shira.Models;
using Microsoft.ML.Shira.Models.Llama;

namespace Microsoft.ML.Shira.Checkpoints.HuggingFace.Architectures;

/// <summary>Builds <see cref="LlamaForCausalLM"/> for <c>model_type</c> <c>llama</c>.</summary>
internal sealed class LlamaArchitecture : IHuggingFaceArchitecture
{
    /// <inheritdoc />
    public string ModelType => LlamaConfig.ModelType;

    /// <inheritdoc />
    public IHuggingFaceModel Create(HuggingFaceConfig config, ScalarType dtype, Device? device) =>
        new LlamaForCausalLM(LlamaConfig.FromHuggingFace(config), dtype, device);
}
