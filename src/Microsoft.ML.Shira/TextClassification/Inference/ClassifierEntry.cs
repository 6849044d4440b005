using Microsoft.ML.Shira.Adapters;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.TextClassification.Inference;

/// <summary>What the classifier engine keeps per adapter: the adapter, its head, and the head's weights on the engine's device.</summary>
internal sealed record ClassifierEntry(SparseAdapter Adapter, ShiraClassificationHead Head, Tensor Weight, Tensor Bias) : IDisposable
{
    /// <summary>Copies the head's weights to <paramref name="device"/>.</summary>
    public static ClassifierEntry Create(SparseAdapter adapter, ShiraClassificationHead head, Device device)
    {
        var weight = tensor(head.WeightArray, [head.ClassCount, head.HiddenSize]).to(device);
        var bias = tensor(head.BiasArray).to(device);
        return new ClassifierEntry(adapter, head, weight, bias);
    }

    public void Dispose()
    {
        Weight.Dispose();
        Bias.Dispose();
    }
}
