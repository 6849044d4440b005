using Microsoft.ML.Shira.Adapters;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Training.Methods;

/// <summary>
/// Full fine-tuning: every model parameter trains. The tuned weights stay in the model (which becomes the
/// transformer's base); the adapter is empty. A snapshot of the pretrained weights counts the changed entries.
/// </summary>
internal sealed class FullFineTuning : IFineTuning, IDisposable
{
    private readonly ModelSnapshot _pretrained;

    public FullFineTuning(nn.Module model)
    {
        _pretrained = new ModelSnapshot(model);
        Parameters = _pretrained.Parameters;
        foreach (var parameter in Parameters)
            parameter.requires_grad = true;
    }

    public string Name => "full fine-tuning";

    public IReadOnlyList<Parameter> Parameters { get; }

    public long TrainableCount => Parameters.Sum(p => p.numel());

    public string Describe() => $"Full fine-tuning: all {TrainableCount:N0} model parameters trainable";

    public (SparseAdapter Adapter, long ChangedWeights) Finish(string adapterName, string baseModelId, string taskType, int seed) =>
        (EmptyAdapter.Create(adapterName, baseModelId, taskType, seed, sparsity: 1), _pretrained.CountChanged());

    public void Dispose() => _pretrained.Dispose();
}
