using Microsoft.ML.Shira.IO.HuggingFace;
using Microsoft.ML.Shira.Models;
using Microsoft.ML.Shira.Models.Bert;

namespace Microsoft.ML.Shira.Checkpoints.HuggingFace.Architectures;

/// <summary>Builds <see cref="BertModel"/> for a <c>model_type</c> of BERT's layout (<see cref="BertConfig.Family"/>; encoder only, task heads skipped).</summary>
internal sealed class BertArchitecture(string modelType) : IHuggingFaceArchitecture
{
    /// <inheritdoc />
    public string ModelType { get; } = modelType;

    /// <inheritdoc />
    public IHuggingFaceModel Create(HuggingFaceConfig config, IReadOnlyCollection<string> checkpointTensors, ScalarType dtype, Device? device)
    {
        var parsed = BertConfig.FromHuggingFace(config);
        bool pooler = checkpointTensors.Any(name => BertModel.EncoderTensorName(name) == "pooler.dense.weight");
        return new BertModel(parsed with { AddPoolingLayer = pooler }, dtype, device);
    }
}
