using Microsoft.ML.Shira.IO.HuggingFace;
using Microsoft.ML.Shira.Models;
using Microsoft.ML.Shira.Models.DistilBert;

namespace Microsoft.ML.Shira.Checkpoints.HuggingFace.Architectures;

/// <summary>Builds <see cref="DistilBertModel"/> for <c>model_type</c> <c>distilbert</c> (encoder only; task heads are skipped).</summary>
internal sealed class DistilBertArchitecture : IHuggingFaceArchitecture
{
    /// <inheritdoc />
    public string ModelType => DistilBertConfig.ModelType;

    /// <inheritdoc />
    public IHuggingFaceModel Create(HuggingFaceConfig config, IReadOnlyCollection<string> checkpointTensors, ScalarType dtype, Device? device) =>
        new DistilBertModel(DistilBertConfig.FromHuggingFace(config), dtype, device);
}
