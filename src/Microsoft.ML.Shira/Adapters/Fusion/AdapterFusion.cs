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

        // Per layer: every entry keyed by (flat position, adapter ordinal), sorted, then runs of one position summed in
        // adapter order (in double). Arrays and one sort, so dense adapters (e.g. merged LoRA updates) fuse quickly.
        var shapes = new Dictionary<string, (long Out, long In, string From)>(StringComparer.Ordinal);
        var parts = new Dictionary<string, List<(long[] Flat, float[] Values, double Alpha, int Ordinal)>>(StringComparer.Ordinal);
        for (int ordinal = 0; ordinal < adapters.Count; ordinal++)
        {
            var (adapter, alpha) = adapters[ordinal];
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
                    parts[layer.ModulePath] = new();
                }
                parts[layer.ModulePath].Add((layer.FlatIndices(), layer.Values, alpha, ordinal));
            }
        }

        var layers = parts.Select(kv => Sum(kv.Key, shapes[kv.Key].Out, shapes[kv.Key].In, kv.Value, adapters.Count)).ToList();
        var first = adapters[0].Adapter.Metadata;
        return new SparseAdapter(name, layers, first with { TaskType = first.TaskType });
    }

    private static SparseAdapterLayer Sum(string path, long outFeatures, long inFeatures,
        List<(long[] Flat, float[] Values, double Alpha, int Ordinal)> parts, int adapterCount)
    {
        int total = parts.Sum(p => p.Flat.Length);
        var keys = new long[total];
        var values = new double[total];
        int n = 0;
        foreach (var (flat, layerValues, alpha, ordinal) in parts)
        {
            for (int i = 0; i < flat.Length; i++, n++)
            {
                keys[n] = flat[i] * adapterCount + ordinal;
                values[n] = alpha * layerValues[i];
            }
        }
        Array.Sort(keys, values);
        var positions = new List<long>(total);
        var sums = new List<float>(total);
        for (int i = 0; i < total;)
        {
            long position = keys[i] / adapterCount;
            double sum = 0;
            for (; i < total && keys[i] / adapterCount == position; i++)
                sum += values[i];
            positions.Add(position);
            sums.Add((float)sum);
        }
        return SparseAdapterLayer.FromFlatIndices(path, outFeatures, inFeatures, positions.ToArray(), sums.ToArray());
    }
}
