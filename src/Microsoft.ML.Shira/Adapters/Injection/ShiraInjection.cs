using Microsoft.ML.Shira.Adapters.Layers;
using Microsoft.ML.Shira.IO.Safetensors;
using Microsoft.ML.Shira.Masks;
using TorchSharp.Modules;

namespace Microsoft.ML.Shira.Adapters.Injection;

/// <summary>SHiRA layers live in a model: their trainable values, counts, and the trained adapter.</summary>
public sealed class ShiraInjection
{
    private readonly nn.Module _model;
    private readonly ShiraInjectionOptions _options;

    internal ShiraInjection(nn.Module model, IReadOnlyList<InjectedLayer<ShiraLinear>> layers, ShiraInjectionOptions options,
        MaskType maskType, IReadOnlyList<string> targets, string fingerprint)
    {
        _model = model;
        _options = options;
        Layers = layers;
        MaskType = maskType;
        Targets = targets;
        BaseModelFingerprint = fingerprint;
        TotalParameters = model.parameters().Where(p => !Layers.Any(l => ReferenceEquals(l.Layer.Values, p))).Sum(p => p.numel());
    }

    /// <summary>The wrapped layers by module path.</summary>
    public IReadOnlyList<InjectedLayer<ShiraLinear>> Layers { get; }

    /// <summary>Mask that chose the indices.</summary>
    public MaskType MaskType { get; }

    /// <summary>Target names/pattern as given.</summary>
    public IReadOnlyList<string> Targets { get; }

    /// <summary>SHA-256 of the adapted base weights.</summary>
    public string BaseModelFingerprint { get; }

    /// <summary>Number of SHiRA values over all layers.</summary>
    public long TrainableParameters => Layers.Sum(l => l.Layer.TrainableCount);

    /// <summary>Parameters of the model without the SHiRA values.</summary>
    public long TotalParameters { get; }

    /// <summary>Trainable SHiRA values as a share of the model's parameters.</summary>
    public double TrainableShare => (double)TrainableParameters / TotalParameters;

    /// <summary>The SHiRA values, the only parameters an optimizer should see for the adapter.</summary>
    public IEnumerable<Parameter> Parameters() => Layers.Select(l => l.Layer.Values);

    /// <summary>The trained update as an adapter.</summary>
    public SparseAdapter ToAdapter(string name, string? baseModelName = null, string? taskType = null, int seed = 0) =>
        new(name, Layers.Select(l => l.Layer.ToAdapterLayer(l.ModulePath)), new AdapterMetadata
        {
            MaskType = MaskType,
            Rank = _options.Budget.Rank,
            Sparsity = _options.Budget.Sparsity,
            Seed = seed,
            TargetModules = Targets,
            BaseModelName = baseModelName,
            BaseModelFingerprint = BaseModelFingerprint,
            BaseModelDType = SafetensorsDType.FromScalarType(Layers[0].Layer.Weight.dtype),
            TaskType = taskType,
            DType = SafetensorsDType.FromScalarType(Layers[0].Layer.Values.dtype),
        });

    /// <summary>Writes <c>W + α·S</c> into every base weight and puts the plain Linear layers back.</summary>
    public void MergeAndUnload() => LinearInjector.Unwrap<ShiraLinear>(_model, l => l.MergeAndUnload());

    /// <summary>Puts the plain base Linear layers back, discarding the update.</summary>
    public void Unload() => LinearInjector.Unwrap<ShiraLinear>(_model, l => l.Unload());

    /// <summary>
    /// Which gradient path the layers train with and why, e.g.
    /// <c>SHiRA gradient path: Sparse for 36 layers (Auto on CPU, Float32 weights, Float32 values)</c>.
    /// </summary>
    public string DescribeGradientPaths()
    {
        if (Layers.Count == 0)
            return "SHiRA gradient path: no layers";
        var first = Layers[0].Layer;
        var paths = Layers.GroupBy(l => l.Layer.EffectiveGradientPath).OrderBy(g => g.Key).Select(g => $"{g.Key} for {g.Count()} layer{(g.Count() == 1 ? "" : "s")}");
        var requested = Layers.Select(l => l.Layer.GradientPath).Distinct().Select(p => p.ToString());
        var devices = Layers.Select(l => l.Layer.Weight.device.ToString()).Distinct();
        var weightTypes = Layers.Select(l => l.Layer.Weight.dtype.ToString()).Distinct();
        var valueTypes = Layers.Select(l => l.Layer.Values.dtype.ToString()).Distinct();
        return $"SHiRA gradient path: {string.Join(", ", paths)} ({string.Join("/", requested)} on {string.Join("/", devices)}, " +
            $"{string.Join("/", weightTypes)} weights, {string.Join("/", valueTypes)} values)";
    }

    /// <summary>One-line summary like PEFT's <c>print_trainable_parameters</c>.</summary>
    public override string ToString() =>
        $"SHiRA ({MaskType}, {_options.Budget}): {Layers.Count} layers, trainable {TrainableParameters:N0} of {TotalParameters:N0} ({TrainableShare:P3})";
}
