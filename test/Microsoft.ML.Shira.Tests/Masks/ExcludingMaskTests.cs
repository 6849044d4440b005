using Microsoft.ML.Shira.Adapters;
using Microsoft.ML.Shira.Masks;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Tests.Masks;

[TestClass]
public sealed class ExcludingMaskTests
{
    private const long Count = 60;
    private const long Total = 32 * 24;
    private const string Path = "layers.0.q";

    /// <summary>The positions of an adapter whose one layer holds <paramref name="flat"/>, as callers pass them.</summary>
    private static (string ModulePath, long[] FlatIndices) AdapterAt(long[] flat)
    {
        var adapter = new SparseAdapter("first", [SparseAdapterLayer.FromFlatIndices(Path, 32, 24, flat, new float[flat.Length])]);
        return adapter.Layers.Values.Select(l => (l.ModulePath, l.FlatIndices())).Single();
    }

    [TestMethod]
    public void AvoidsTheExcludedPositionsAndKeepsTheCount()
    {
        using var weight = zeros(32, 24);
        var first = MaskAssert.Valid(new RandomMask(1).SelectIndices(Path, weight, Count), Count, Total);
        var mask = new ExcludingMask(new RandomMask(1), [AdapterAt(first)], seed: 5);

        var second = MaskAssert.Valid(mask.SelectIndices(Path, weight, Count), Count, Total);

        Assert.IsEmpty(first.Intersect(second).ToList(), "The same seed would give the same mask; the exclusion must remove all of it.");
        Assert.AreEqual(Count, mask.ExcludedCount(Path));
        CollectionAssert.AreEqual(second, MaskAssert.Valid(new ExcludingMask(new RandomMask(1), [AdapterAt(first)], seed: 5).SelectIndices(Path, weight, Count), Count, Total));
        Assert.AreEqual(MaskType.Random, mask.Type);
    }

    [TestMethod]
    public void LayersWithoutExclusionsUseTheInnerMask()
    {
        using var weight = zeros(32, 24);
        var mask = new ExcludingMask(new RandomMask(3), [AdapterAt([0, 1, 2])], seed: 5);

        CollectionAssert.AreEqual(
            MaskAssert.Valid(new RandomMask(3).SelectIndices("layers.1.q", weight, Count), Count, Total),
            MaskAssert.Valid(mask.SelectIndices("layers.1.q", weight, Count), Count, Total));
    }

    [TestMethod]
    public void WorksWithAScoreMaskAndFailsWhenTooFewPositionsRemain()
    {
        using var weight = arange(Total, dtype: ScalarType.Float32).view(32, 24);
        var top = Enumerable.Range(0, (int)Count).Select(i => Total - 1 - i).ToArray();
        var mask = new ExcludingMask(new WeightMagnitudeMask(), [AdapterAt(top)], seed: 5);

        var picked = MaskAssert.Valid(mask.SelectIndices(Path, weight, Count), Count, Total);
        Assert.IsEmpty(picked.Intersect(top).ToList());

        var all = new ExcludingMask(new RandomMask(1), [AdapterAt(Enumerable.Range(0, (int)Total - 10).Select(i => (long)i).ToArray())], seed: 5);
        Assert.ThrowsExactly<InvalidOperationException>(() => all.SelectIndices(Path, weight, 11));
    }
}
