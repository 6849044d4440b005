using Microsoft.ML.Shira.Adapters;
using Microsoft.ML.Shira.Adapters.Injection;
using TorchSharp.Modules;

namespace Microsoft.ML.Shira.Training.Methods;

/// <summary>SHiRA: the injected sparse values of every targeted matrix train; the adapter is their trained update.</summary>
internal sealed class ShiraFineTuning : IFineTuning
{
    private readonly ShiraInjection _injection;

    public ShiraFineTuning(ShiraInjection injection)
    {
        _injection = injection;
        Parameters = injection.Parameters().ToList();
    }

    public string Name => "SHiRA";

    public IReadOnlyList<Parameter> Parameters { get; }

    public long TrainableCount => _injection.TrainableParameters;

    public string Describe() => _injection.ToString();

    /// <summary>The gradient path each layer trains with (logged once when training starts).</summary>
    public string DescribeGradientPaths() => _injection.DescribeGradientPaths();

    public (SparseAdapter Adapter, long ChangedWeights) Finish(string adapterName, string baseModelId, string taskType, int seed)
    {
        var adapter = _injection.ToAdapter(adapterName, baseModelId, taskType, seed);
        _injection.Unload();
        long changed = adapter.Layers.Values.Sum(l => (long)l.Values.Count(v => v != 0));
        return (adapter, changed);
    }
}
