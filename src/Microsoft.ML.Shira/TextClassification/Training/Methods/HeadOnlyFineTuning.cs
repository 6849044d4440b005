using Microsoft.ML.Shira.Adapters;
using Microsoft.ML.Shira.Models.Bert;
using TorchSharp.Modules;

namespace Microsoft.ML.Shira.TextClassification.Training.Methods;

/// <summary>
/// Head only: the encoder is frozen; the adapter is empty. The changed count is measured against a snapshot, not
/// assumed, so the training summary proves the encoder is bit-identical.
/// </summary>
internal sealed class HeadOnlyFineTuning : IFineTuning, IDisposable
{
    private readonly EncoderSnapshot _pretrained;

    public HeadOnlyFineTuning(BertModel model)
    {
        _pretrained = new EncoderSnapshot(model);
        foreach (var parameter in _pretrained.Parameters)
            parameter.requires_grad = false;
    }

    public string Name => "head only";

    public IReadOnlyList<Parameter> Parameters { get; } = Array.Empty<Parameter>();

    public long TrainableCount => 0;

    public string Describe() => $"Head only: encoder frozen (0 of {_pretrained.Parameters.Sum(p => p.numel()):N0} parameters trainable)";

    public (SparseAdapter Adapter, long ChangedWeights) Finish(string adapterName, string baseModelId, int seed) =>
        (EmptyAdapter.Create(adapterName, baseModelId, seed, sparsity: 0), _pretrained.CountChanged());

    public void Dispose() => _pretrained.Dispose();
}
