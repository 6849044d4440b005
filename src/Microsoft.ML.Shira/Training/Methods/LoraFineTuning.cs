using Microsoft.ML.Shira.Adapters;
using Microsoft.ML.Shira.Adapters.Injection;
using Microsoft.ML.Shira.Adapters.Layers;
using Microsoft.ML.Shira.IO.Safetensors;
using Microsoft.ML.Shira.Masks;
using TorchSharp.Modules;

namespace Microsoft.ML.Shira.Training.Methods;

/// <summary>
/// LoRA baseline with SHiRA's trainable count: every targeted Linear gets a <see cref="LoraLinear"/> of rank
/// <see cref="RankFor"/> and α = 2r. After training the merged update <c>(α/r)·B·A</c> becomes a dense adapter
/// (every entry of each targeted matrix) and the plain Linear layers, with untouched base weights, go back.
/// </summary>
internal sealed class LoraFineTuning : IFineTuning
{
    private readonly nn.Module _model;
    private readonly IReadOnlyList<InjectedLayer<LoraLinear>> _layers;
    private readonly Dictionary<LoraLinear, Linear> _originals = new(ReferenceEqualityComparer.Instance);
    private readonly string _fingerprint;
    private readonly string? _baseDType;
    private readonly IReadOnlyList<string> _targets;

    public LoraFineTuning(nn.Module model, TargetModuleMatcher matcher, ShiraBudget budget, int seed)
    {
        _model = model;
        _targets = matcher.Describe();
        var baseWeights = new List<KeyValuePair<string, Tensor>>();
        using var generator = new Generator(0, CPU);
        generator.manual_seed(seed);
        _layers = LinearInjector.Inject(model, matcher, (path, linear) =>
        {
            var weight = linear.weight!;
            int rank = RankFor(budget, weight.shape[0], weight.shape[1]);
            baseWeights.Add(new(path, weight));
            var layer = new LoraLinear(linear, rank, alpha: 2.0 * rank, generator: generator);
            _originals[layer] = linear;
            return layer;
        });
        _fingerprint = BaseModelFingerprint.Compute(baseWeights);
        _baseDType = baseWeights.Count > 0 ? SafetensorsDType.FromScalarType(baseWeights[0].Value.dtype) : null;
        Parameters = _layers.SelectMany(l => new[] { l.Layer.A, l.Layer.B }).ToList();
        TrainableCount = _layers.Sum(l => l.Layer.TrainableCount);
    }

    /// <summary>The rank whose LoRA has (about) SHiRA's count: the budget's rank, else <c>max(1, round(s·out·in/(out+in)))</c>.</summary>
    public static int RankFor(ShiraBudget budget, long outFeatures, long inFeatures) =>
        budget.Rank > 0
            ? budget.Rank
            : (int)Math.Max(1, Math.Round(budget.Sparsity * outFeatures * inFeatures / (outFeatures + inFeatures), MidpointRounding.AwayFromZero));

    public string Name => "LoRA";

    public IReadOnlyList<Parameter> Parameters { get; }

    public long TrainableCount { get; }

    public string Describe()
    {
        var ranks = _layers.GroupBy(l => l.Layer.Rank).OrderBy(g => g.Key).Select(g => $"r={g.Key} ×{g.Count()}");
        return $"LoRA (α = 2r; {string.Join(", ", ranks)}): {_layers.Count} layers, trainable {TrainableCount:N0}";
    }

    public (SparseAdapter Adapter, long ChangedWeights) Finish(string adapterName, string baseModelId, string taskType, int seed)
    {
        long changed = 0;
        var adapterLayers = new List<SparseAdapterLayer>(_layers.Count);
        foreach (var (path, layer) in _layers)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var delta = layer.DeltaWeight().to(ScalarType.Float32).cpu().contiguous();
            float[] values = delta.data<float>().ToArray();
            changed += values.LongCount(v => v != 0);
            long outFeatures = delta.shape[0], inFeatures = delta.shape[1];
            var flat = new long[values.Length];
            for (long i = 0; i < flat.LongLength; i++)
                flat[i] = i;
            adapterLayers.Add(SparseAdapterLayer.FromFlatIndices(path, outFeatures, inFeatures, flat, values));
        }
        LinearInjector.Unwrap<LoraLinear>(_model, layer => _originals[layer]);
        foreach (var (_, layer) in _layers)
        {
            // Only the factors: the wrapper shares the base weight and bias, which stay in the model.
            layer.A.Dispose();
            layer.B.Dispose();
        }
        var adapter = new SparseAdapter(adapterName, adapterLayers, new AdapterMetadata
        {
            Rank = 0,
            Sparsity = 1,
            Seed = seed,
            TargetModules = _targets,
            BaseModelName = baseModelId,
            BaseModelFingerprint = _fingerprint,
            BaseModelDType = _baseDType,
            TaskType = taskType,
        });
        return (adapter, changed);
    }
}
