using Microsoft.ML.Shira.Models;
using Microsoft.ML.Shira.Models.Bert;
using Microsoft.ML.Shira.TextClassification.Data;

namespace Microsoft.ML.Shira.TextClassification.Training;

/// <summary>The classifier's forward pass during training: encoder → masked mean pooling → linear head.</summary>
internal static class ClassifierForward
{
    /// <summary>Logits <c>[B, classes]</c> and the cross-entropy loss of a batch (tensors belong to the caller's dispose scope).</summary>
    public static (Tensor Logits, Tensor Loss) Run(ISentenceEncoder model, nn.Module<Tensor, Tensor> head, ExampleBatch batch, Device device)
    {
        var (inputs, labels) = batch.ToTensors(device);
        var hidden = model.Encode(inputs.InputIds, inputs.AttentionMask, inputs.TokenTypeIds);
        var logits = head.call(SentencePooling.Mean(hidden, inputs.AttentionMask));
        return (logits, nn.functional.cross_entropy(logits, labels));
    }
}
