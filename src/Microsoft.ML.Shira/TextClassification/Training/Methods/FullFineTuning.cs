using Microsoft.ML.Shira.Adapters;
using Microsoft.ML.Shira.Models.Bert;
using TorchSharp.Modules;

namespace Microsoft.ML.Shira.TextClassification.Training.Methods;

/// <summary>
/// Full fine-tuning: every encoder parameter trains. The tuned weights stay in the encoder (which becomes the
/// transformer's base); the adapter is empty. A snapshot of the pretrained weights counts the changed entries.
/// </summary>
internal sealed class FullFineTuning : IFineTuning, IDisposable
{
    private readonly EncoderSnapshot _pretrained;

    public FullFineTuning(BertModel model)
    {
        _pretrained = new EncoderSnapshot(model);
        Parameters = _pretrained.Parameters;
        foreach (var parameter in Parameters)
            parameter.requires_grad = true;
    }

    public string Name => "full fine-tuning";

    public IReadOnlyList<Parameter> Parameters { get; }

    public long TrainableCount => Parameters.Sum(p => p.numel());

    public string Describe() => $"Full fine-tuning: all {TrainableCount:N0} encoder parameters trainable";

    public (SparseAdapter Adapter, long ChangedWeights) Finish(string adapterName, string baseModelId, int seed) =>
        (EmptyAdapter.Create(adapterName, baseModelId, seed, sparsity: 1), _pretrained.CountChanged());

    public void Dispose() => _pretrained.Dispose();
}
