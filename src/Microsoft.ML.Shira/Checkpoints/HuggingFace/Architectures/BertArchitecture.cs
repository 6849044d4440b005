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
    public IHuggingFaceModel Create(HuggingFaceConfig config, ScalarType dtype, Device? device)
    {
        var model = new BertModel(BertConfig.FromHuggingFace(config));
        if (dtype != ScalarType.Float32 || device is not null)
            model.to(device ?? CPU, dtype);
        return model;
    }
}
