using Microsoft.ML.Shira.Adapters;
using Microsoft.ML.Shira.Inference;

namespace Microsoft.ML.Shira.TextClassification.Inference;

/// <summary>What the classifier engine keeps per adapter: the adapter, its head, and the head's weights on the engine's device.</summary>
internal sealed class ClassifierEntry(SparseAdapter adapter, ShiraClassificationHead head, Tensor weight, Tensor bias) : AdapterEntry(adapter)
{
    public ShiraClassificationHead Head { get; } = head;

    public Tensor Weight { get; } = weight;

    public Tensor Bias { get; } = bias;

    /// <summary>Copies the head's weights to <paramref name="device"/>.</summary>
    public static ClassifierEntry Create(SparseAdapter adapter, ShiraClassificationHead head, Device device)
    {
        var weight = tensor(head.WeightArray, [head.ClassCount, head.HiddenSize]).to(device);
        var bias = tensor(head.BiasArray).to(device);
        return new ClassifierEntry(adapter, head, weight, bias);
    }

    public override void Release()
    {
        Weight.Dispose();
        Bias.Dispose();
    }
}
