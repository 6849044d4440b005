using Microsoft.ML.Shira.Masks;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Tests.Masks;

[TestClass]
public sealed class RandomMaskTests
{
    private const long Count = 40;
    private const long Total = 32 * 24;

    private static long[] Draw(RandomMask mask, string path, Tensor weight) =>
        MaskAssert.Valid(mask.SelectIndices(path, weight, Count), Count, Total);

    [TestMethod]
    public void SameSeedAndPathGiveTheSameMask()
    {
        using var weight = zeros(32, 24);
        using var other = randn(32, 24, dtype: ScalarType.Float64);
        var first = Draw(new RandomMask(42), "layers.0.q", weight);
        CollectionAssert.AreEqual(first, Draw(new RandomMask(42), "layers.0.q", weight));
        // The values, dtype and device of the weight do not matter, only its shape.
        CollectionAssert.AreEqual(first, Draw(new RandomMask(42), "layers.0.q", other));
    }

    [TestMethod]
    public void SeedsAndModulePathsChangeTheMask()
    {
        using var weight = zeros(32, 24);
        var reference = Draw(new RandomMask(42), "layers.0.q", weight);
        CollectionAssert.AreNotEqual(reference, Draw(new RandomMask(43), "layers.0.q", weight));
        CollectionAssert.AreNotEqual(reference, Draw(new RandomMask(42), "layers.1.q", weight));
        CollectionAssert.AreNotEqual(reference, Draw(new RandomMask(42), "layers.0.k", weight));
    }

    [TestMethod]
    public void WithoutPerLayerSeedItIsPeftsRandpermPrefix()
    {
        using var weight = zeros(32, 24);
        var mask = new RandomMask(56, perLayerSeed: false);
        Assert.AreEqual(56L, mask.GeneratorSeedFor("anything"));
        var a = Draw(mask, "lin1", weight);
        CollectionAssert.AreEqual(a, Draw(mask, "lin2", weight), "PEFT seeds every layer alike");

        // PEFT: torch.Generator().manual_seed(seed); torch.randperm(numel, generator)[:count]
        using var generator = new Generator(0, CPU);
        generator.manual_seed(56);
        using var permutation = randperm(Total, ScalarType.Int64, CPU, generator: generator);
        var expected = permutation.data<long>().Take((int)Count).Order().ToArray();
        CollectionAssert.AreEqual(expected, a);
    }

    [TestMethod]
    public void PerLayerGeneratorSeedIsMaskSeedForLayer()
    {
        var mask = new RandomMask(42);
        Assert.AreEqual(MaskSeed.ForLayer(42, "lin1"), mask.GeneratorSeedFor("lin1"));
    }

    [TestMethod]
    public void MaskSeedIsAFixedFunctionOfSeedAndPath()
    {
        // Reference values computed independently (FNV-1a-64 then SplitMix64, see MaskSeed.ForLayer); a change here
        // silently changes every mask drawn with a given seed.
        Assert.AreEqual(3871786226809347248L, MaskSeed.ForLayer(42, "encoder.layer.0.attention.self.query"));
        Assert.AreEqual(-5077193163174604408L, MaskSeed.ForLayer(-1, "lin1"));
        Assert.AreEqual(-4359066618775142608L, MaskSeed.ForLayer(0, ""));
        Assert.AreNotEqual(MaskSeed.ForLayer(1, "lin1"), MaskSeed.ForLayer(2, "lin1"));
    }

    [TestMethod]
    public void PositionsAreRoughlyUniform()
    {
        // 200 draws of 96 of 768 positions: every row of the 32x24 matrix should be hit about 200·96/32 = 600 times.
        using var weight = zeros(32, 24);
        var perRow = new int[32];
        for (int seed = 0; seed < 200; seed++)
        {
            foreach (long index in MaskAssert.Valid(new RandomMask(seed).SelectIndices("w", weight, 96), 96, Total))
                perRow[index / 24]++;
        }
        Assert.IsTrue(perRow.All(hits => hits is > 450 and < 750), string.Join(", ", perRow));
    }
}
