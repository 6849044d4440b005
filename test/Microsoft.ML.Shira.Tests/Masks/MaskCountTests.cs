using Microsoft.ML.Shira.Masks;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Tests.Masks;

[TestClass]
public sealed class MaskCountTests
{
    private const string Path = "encoder.layer.0.attention.self.query";

    [TestMethod]
    [DataRow(8, 8, 0.1, 0, 6L)]
    [DataRow(64, 32, 0.01, 0, 20L)]
    [DataRow(1, 9, 1.0, 0, 9L)]
    [DataRow(1, 1, 0.5, 0, 1L)]
    [DataRow(16, 4, 0.0, 1, 20L)]
    [DataRow(33, 17, 0.0, 2, 100L)]
    [DataRow(5, 7, 0.0, 100, 35L)]  // r·(in+out) = 1200 is capped at out·in
    [DataRow(3, 1, 0.0, 1, 3L)]     // r·(in+out) = 4 is capped at out·in
    [DataRow(40, 6, 0.5, 0, 120L)]
    public void EveryStrategyReturnsExactlyTheBudget(int outFeatures, int inFeatures, double sparsity, int rank, long expected)
    {
        var budget = rank > 0 ? ShiraBudget.FromRank(rank) : ShiraBudget.FromSparsity(sparsity);
        long count = budget.EntriesFor(outFeatures, inFeatures);
        Assert.AreEqual(expected, count);
        long total = (long)outFeatures * inFeatures;

        using var scope = NewDisposeScope();
        var generator = new Generator(7, CPU);
        var weight = randn([outFeatures, inFeatures], generator: generator);
        var scores = new Dictionary<string, Tensor> { [Path] = rand([outFeatures, inFeatures], generator: generator) };
        var strategies = new List<IMaskStrategy>
        {
            new StructMask(1, StructMaskAxes.Both),
            new StructMask(1, StructMaskAxes.Rows),
            new StructMask(1, StructMaskAxes.Columns),
        };
        strategies.AddRange(Enum.GetValues<MaskType>().Select(type => MaskFactory.Create(type, 1, scores)));

        foreach (var strategy in strategies)
        {
            var indices = MaskAssert.Valid(strategy.SelectIndices(Path, weight, count), count, total);
            if (count == total)
                CollectionAssert.AreEqual(Enumerable.Range(0, (int)total).Select(i => (long)i).ToArray(), indices, strategy.GetType().Name);
        }
    }

    [TestMethod]
    public void StrategiesAcceptAnyFloatDtype()
    {
        using var scope = NewDisposeScope();
        var weight = randn([12, 10], generator: new Generator(3, CPU));
        var scores = new Dictionary<string, Tensor> { [Path] = weight.abs() };
        foreach (var type in Enum.GetValues<MaskType>())
        {
            var strategy = MaskFactory.Create(type, 5, scores);
            var reference = MaskAssert.Valid(strategy.SelectIndices(Path, weight, 17), 17, 120);
            foreach (var dtype in new[] { ScalarType.Float64, ScalarType.BFloat16, ScalarType.Float16 })
            {
                // Rounding to 16 bits may reorder close magnitudes, so only the contract is checked for them.
                var indices = MaskAssert.Valid(strategy.SelectIndices(Path, weight.to(dtype), 17), 17, 120);
                if (dtype == ScalarType.Float64 || type is MaskType.Struct or MaskType.Random or MaskType.Gradient or MaskType.Snip)
                    CollectionAssert.AreEqual(reference, indices, $"{type} {dtype}");
            }
        }
    }
}
