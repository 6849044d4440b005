namespace Microsoft.ML.Shira.Adapters;

/// <summary>
/// A SHiRA adapter: the sparse difference <c>S = W_trained − W_base</c> of every adapted weight matrix,
/// stored as indices + values, plus what it was trained with. Immutable data; applying it to a model is the job
/// of the adapter switcher.
/// </summary>
public sealed class SparseAdapter
{
    private readonly Dictionary<string, SparseAdapterLayer> _layers;

    /// <summary>Creates an adapter from its layers.</summary>
    /// <exception cref="ArgumentException">Two layers have the same module path.</exception>
    public SparseAdapter(string name, IEnumerable<SparseAdapterLayer> layers, AdapterMetadata? metadata = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(layers);
        Name = name;
        Metadata = metadata ?? new AdapterMetadata();
        _layers = new Dictionary<string, SparseAdapterLayer>(StringComparer.Ordinal);
        foreach (var layer in layers)
        {
            if (!_layers.TryAdd(layer.ModulePath, layer))
                throw new ArgumentException($"Adapter '{name}' has two layers for module '{layer.ModulePath}'.", nameof(layers));
        }
    }

    /// <summary>Name of the adapter (unique within a model).</summary>
    public string Name { get; }

    /// <summary>Training metadata.</summary>
    public AdapterMetadata Metadata { get; }

    /// <summary>Layers keyed by module path, in insertion order.</summary>
    public IReadOnlyDictionary<string, SparseAdapterLayer> Layers => _layers;

    /// <summary>Total number of stored entries over all layers.</summary>
    public long ParameterCount => _layers.Values.Sum(l => (long)l.Count);

    /// <summary>Returns a copy with another name (same layers).</summary>
    public SparseAdapter WithName(string name) => new(name, _layers.Values, Metadata);
}
