using Microsoft.ML.Shira.Adapters;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Training.Methods;

/// <summary>
/// Head only: the pretrained model is frozen; the adapter is empty. The changed count is measured against a snapshot,
/// not assumed, so the training summary proves the model is bit-identical.
/// </summary>
internal sealed class HeadOnlyFineTuning : IFineTuning, IDisposable
{
    private readonly ModelSnapshot _pretrained;

    public HeadOnlyFineTuning(nn.Module model)
    {
        _pretrained = new ModelSnapshot(model);
        foreach (var parameter in _pretrained.Parameters)
            parameter.requires_grad = false;
    }

    public string Name => "head only";

    public IReadOnlyList<Parameter> Parameters { get; } = Array.Empty<Parameter>();

    public long TrainableCount => 0;

    public string Describe() => $"Head only: model frozen (0 of {_pretrained.Parameters.Sum(p => p.numel()):N0} parameters trainable)";

    public (SparseAdapter Adapter, long ChangedWeights) Finish(string adapterName, string baseModelId, string taskType, int seed) =>
        (EmptyAdapter.Create(adapterName, baseModelId, taskType, seed, sparsity: 0), _pretrained.CountChanged());

    public void Dispose() => _pretrained.Dispose();
}
