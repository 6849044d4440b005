namespace Microsoft.ML.Shira.Adapters.Fusion;

/// <summary>How two adapters share one layer: index overlap and the paper's orthogonality metrics.</summary>
/// <param name="ModulePath">Layer.</param>
/// <param name="CountA">Entries of the first adapter.</param>
/// <param name="CountB">Entries of the second adapter.</param>
/// <param name="SharedCount">Positions both adapters update.</param>
/// <param name="Awom">Adapter Weight Orthogonality Magnitude ‖A₁ᵀA₂‖₂ (spectral norm).</param>
/// <param name="Awor">Adapter Weight Orthogonality Ratio 1 − ‖A₁ᵀA₂‖₀ / m².</param>
public sealed record LayerOverlap(string ModulePath, int CountA, int CountB, int SharedCount, double Awom, double Awor)
{
    /// <summary>Shared positions over the union (Jaccard index).</summary>
    public double Jaccard => SharedCount == 0 ? 0 : (double)SharedCount / (CountA + CountB - SharedCount);
}

/// <summary>Overlap and orthogonality of two adapters (Bhardwaj et al., 2024, §4.3: AWOM and AWOR).</summary>
public static class AdapterOverlap
{
    /// <summary>Compares every layer both adapters adapt; layers only one adapter has are skipped.</summary>
    public static IReadOnlyList<LayerOverlap> Compare(SparseAdapter first, SparseAdapter second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        var result = new List<LayerOverlap>();
        foreach (var a in first.Layers.Values)
        {
            if (!second.Layers.TryGetValue(a.ModulePath, out var b))
                continue;
            if (a.OutFeatures != b.OutFeatures || a.InFeatures != b.InFeatures)
                throw new ArgumentException($"Layer '{a.ModulePath}' has different shapes in the two adapters.");
            int shared = a.FlatIndices().Intersect(b.FlatIndices()).Count();
            var (awom, awor) = Orthogonality(a, b);
            result.Add(new LayerOverlap(a.ModulePath, a.Count, b.Count, shared, awom, awor));
        }
        return result;
    }

    /// <summary>AWOM = ‖A₁ᵀA₂‖₂ and AWOR = 1 − ‖A₁ᵀA₂‖₀ / m² for two n×m sparse updates.</summary>
    public static (double Awom, double Awor) Orthogonality(SparseAdapterLayer a, SparseAdapterLayer b)
    {
        using var scope = NewDisposeScope();
        var product = matmul(Dense(a).T, Dense(b));
        double awom = linalg.svdvals(product.to(ScalarType.Float64)).max().item<double>();
        double m = a.InFeatures;
        double awor = 1.0 - count_nonzero(product).item<long>() / (m * m);
        return (awom, awor);
    }

    private static Tensor Dense(SparseAdapterLayer layer)
    {
        var dense = zeros(layer.OutFeatures * layer.InFeatures);
        dense.index_put_(tensor(layer.Values), tensor(layer.FlatIndices()));
        return dense.view(layer.OutFeatures, layer.InFeatures);
    }
}
