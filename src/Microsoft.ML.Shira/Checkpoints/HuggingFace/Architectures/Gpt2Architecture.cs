using Microsoft.ML.Shira.IO.HuggingFace;
using Microsoft.ML.Shira.Models;
using Microsoft.ML.Shira.Models.Gpt2;

namespace Microsoft.ML.Shira.Checkpoints.HuggingFace.Architectures;

/// <summary>Builds <see cref="Gpt2LMHeadModel"/> for <c>model_type</c> <c>gpt2</c>.</summary>
internal sealed class Gpt2Architecture : IHuggingFaceArchitecture
{
    /// <inheritdoc />
    public string ModelType => Gpt2Config.ModelType;

    /// <inheritdoc />
    public IHuggingFaceModel Create(HuggingFaceConfig config, IReadOnlyCollection<string> checkpointTensors, ScalarType dtype, Device? device) =>
        new Gpt2LMHeadModel(Gpt2Config.FromHuggingFace(config), dtype, device);
}
