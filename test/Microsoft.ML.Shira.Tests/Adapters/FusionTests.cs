using Microsoft.ML.Shira.Adapters;
using Microsoft.ML.Shira.Adapters.Fusion;

namespace Microsoft.ML.Shira.Tests.Adapters;

[TestClass]
public sealed class FusionTests
{
    [TestMethod]
    public void CombineUnionsIndicesAndSumsOverlaps()
    {
        var a = new SparseAdapter("a", new[] { new SparseAdapterLayer("l", 3, 3, new[] { 0, 1 }, new[] { 0, 1 }, new[] { 1f, 2f }) });
        var b = new SparseAdapter("b", new[] { new SparseAdapterLayer("l", 3, 3, new[] { 1, 2 }, new[] { 1, 2 }, new[] { 10f, 20f }) });
        var fused = AdapterFusion.Combine("ab", new[] { (a, 1.0), (b, 0.5) });
        var layer = fused.Layers["l"];
        CollectionAssert.AreEqual(new long[] { 0, 4, 8 }, layer.FlatIndices());
        CollectionAssert.AreEqual(new[] { 1f, 2f + 5f, 10f }, layer.Values);
    }

    [TestMethod]
    public void OverlapAndOrthogonalityMetrics()
    {
        // A1 lives in row 0, A2 in row 1: A1ᵀA2 = 0, so AWOM = 0 and AWOR = 1.
        var a = new SparseAdapterLayer("l", 4, 4, new[] { 0, 0 }, new[] { 0, 2 }, new[] { 1f, 1f });
        var b = new SparseAdapterLayer("l", 4, 4, new[] { 1, 1 }, new[] { 0, 2 }, new[] { 1f, 1f });
        var (awom, awor) = AdapterOverlap.Orthogonality(a, b);
        Assert.AreEqual(0.0, awom, 1e-12);
        Assert.AreEqual(1.0, awor, 1e-12);

        // Same row: A1ᵀA2 = u uᵀ with u = e0 + e2, so ‖·‖₂ = ‖u‖² = 2 and 4 of 16 entries are non-zero.
        var c = new SparseAdapterLayer("l", 4, 4, new[] { 1, 1 }, new[] { 0, 2 }, new[] { 1f, 1f });
        (awom, awor) = AdapterOverlap.Orthogonality(b, c);
        Assert.AreEqual(2.0, awom, 1e-6);
        Assert.AreEqual(1.0 - 4.0 / 16.0, awor, 1e-12);

        var overlap = AdapterOverlap.Compare(new SparseAdapter("x", new[] { a }), new SparseAdapter("y", new[] { b })).Single();
        Assert.AreEqual(0, overlap.SharedCount);
        var same = AdapterOverlap.Compare(new SparseAdapter("x", new[] { b }), new SparseAdapter("y", new[] { c })).Single();
        Assert.AreEqual(2, same.SharedCount);
        Assert.AreEqual(1.0, same.Jaccard);
    }
}
