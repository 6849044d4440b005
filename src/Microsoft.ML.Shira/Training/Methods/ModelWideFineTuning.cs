using Microsoft.ML.Shira.Adapters;
using TorchSharp.Modules;

namespace Microsoft.ML.Shira.Training.Methods;

/// <summary>
/// The methods that leave nothing to fuse: full fine-tuning (every model parameter trains; the tuned weights stay in
/// the model, which becomes the transformer's base) and head only (the model is frozen). Either way the adapter is
/// empty, and the changed count is measured against a CPU snapshot of the pretrained weights, not assumed, so the
/// training summary proves what changed (nothing, for head only).
/// </summary>
internal sealed class ModelWideFineTuning : IFineTuning, IDisposable
{
    private readonly ParameterSnapshot _pretrained;
    private readonly bool _trainsModel;

    private ModelWideFineTuning(nn.Module model, bool trainsModel)
    {
        _pretrained = ParameterSnapshot.Capture(model.parameters(), CPU);
        _trainsModel = trainsModel;
        foreach (var parameter in _pretrained.Parameters)
            parameter.requires_grad = trainsModel;
        Parameters = trainsModel ? _pretrained.Parameters : Array.Empty<Parameter>();
    }

    /// <summary>Full fine-tuning: every parameter of <paramref name="model"/> trains.</summary>
    public static ModelWideFineTuning Full(nn.Module model) => new(model, trainsModel: true);

    /// <summary>Head only: <paramref name="model"/> is frozen.</summary>
    public static ModelWideFineTuning HeadOnly(nn.Module model) => new(model, trainsModel: false);

    public string Name => _trainsModel ? "full fine-tuning" : "head only";

    public IReadOnlyList<Parameter> Parameters { get; }

    public long TrainableCount => Parameters.Sum(p => p.numel());

    public string Describe() => _trainsModel
        ? $"Full fine-tuning: all {TrainableCount:N0} model parameters trainable"
        : $"Head only: model frozen (0 of {_pretrained.Parameters.Sum(p => p.numel()):N0} parameters trainable)";

    public (SparseAdapter Adapter, long ChangedWeights) Finish(string adapterName, string baseModelId, string taskType, int seed)
    {
        var adapter = new SparseAdapter(adapterName, Array.Empty<SparseAdapterLayer>(), new AdapterMetadata
        {
            Sparsity = _trainsModel ? 1 : 0,
            Seed = seed,
            BaseModelName = baseModelId,
            TaskType = taskType,
        });
        return (adapter, _pretrained.CountChanged());
    }

    public void Dispose() => _pretrained.Dispose();
}
