using Microsoft.ML.Shira.IO.HuggingFace;
using Microsoft.ML.Shira.Models;
using Microsoft.ML.Shira.Models.Bert;

namespace Microsoft.ML.Shira.Checkpoints.HuggingFace.Architectures;

/// <summary>Builds <see cref="BertModel"/> for <c>model_type</c> <c>bert</c> (encoder only; task heads are skipped).</summary>
internal sealed class BertArchitecture : IHuggingFaceArchitecture
{
    /// <inheritdoc />
    public string ModelType => "bert";

    /// <inheritdoc />
    public IHuggingFaceModel Create(HuggingFaceConfig config, ScalarType dtype, Device? device)
    {
        var model = new BertModel(BertConfig.FromHuggingFace(config));
        if (dtype != ScalarType.Float32 || device is not null)
            model.to(device ?? CPU, dtype);
        return model;
    }
}
