namespace Microsoft.ML.Shira.Adapters.Fusion;

/// <summary>Combines adapters into one: <c>S = Σ αᵢ·Sᵢ</c> over the union of their indices (overlapping entries summed).</summary>
public static class AdapterFusion
{
    /// <summary>Fuses weighted adapters into a new adapter named <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No adapters, or two adapters disagree on a layer's shape.</exception>
    public static SparseAdapter Combine(string name, IReadOnlyList<(SparseAdapter Adapter, double Alpha)> adapters)
    {
        ArgumentNullException.ThrowIfNull(adapters);
        if (adapters.Count == 0)
            throw new ArgumentException("Fusion needs at least one adapter.", nameof(adapters));

        var shapes = new Dictionary<string, (long Out, long In, string From)>(StringComparer.Ordinal);
        var sums = new Dictionary<string, SortedDictionary<long, double>>(StringComparer.Ordinal);
        foreach (var (adapter, alpha) in adapters)
        {
            ArgumentNullException.ThrowIfNull(adapter);
            foreach (var layer in adapter.Layers.Values)
            {
                if (shapes.TryGetValue(layer.ModulePath, out var shape))
                {
                    if (shape.Out != layer.OutFeatures || shape.In != layer.InFeatures)
                        throw new ArgumentException($"Cannot fuse: layer '{layer.ModulePath}' is [{layer.OutFeatures}, {layer.InFeatures}] in adapter '{adapter.Name}' but [{shape.Out}, {shape.In}] in '{shape.From}'.");
                }
                else
                {
                    shapes[layer.ModulePath] = (layer.OutFeatures, layer.InFeatures, adapter.Name);
                    sums[layer.ModulePath] = new SortedDictionary<long, double>();
                }
                var sum = sums[layer.ModulePath];
                long[] flat = layer.FlatIndices();
                for (int i = 0; i < flat.Length; i++)
                    sum[flat[i]] = sum.GetValueOrDefault(flat[i]) + alpha * layer.Values[i];
            }
        }

        var first = adapters[0].Adapter.Metadata;
        var layers = sums.Select(kv => SparseAdapterLayer.FromFlatIndices(kv.Key, shapes[kv.Key].Out, shapes[kv.Key].In,
            kv.Value.Keys.ToArray(), kv.Value.Values.Select(v => (float)v).ToArray()));
        return new SparseAdapter(name, layers, first with { TaskType = first.TaskType });
    }
}
