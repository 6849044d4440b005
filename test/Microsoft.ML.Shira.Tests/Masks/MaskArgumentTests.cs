using Microsoft.ML.Shira.Masks;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Tests.Masks;

[TestClass]
public sealed class MaskArgumentTests
{
    private static IEnumerable<IMaskStrategy> Strategies(Tensor scoreForLayer) =>
        Enum.GetValues<MaskType>().Select(type => MaskFactory.Create(type, 0, new Dictionary<string, Tensor> { ["layer"] = scoreForLayer }));

    [TestMethod]
    public void CountOutsideOneToOutTimesInIsRejected()
    {
        using var weight = ones(3, 4);
        foreach (var strategy in Strategies(weight))
        {
            foreach (long count in new[] { 0L, -1L, 13L })
            {
                var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => strategy.SelectIndices("layer", weight, count));
                StringAssert.Contains(e.Message, "[1, 12]");
                StringAssert.Contains(e.Message, "'layer'");
            }
        }
    }

    [TestMethod]
    public void WeightMustBeTwoDimensional()
    {
        using var vector = ones(6);
        using var cube = ones(2, 3, 4);
        using var scoreShape = ones(2, 3);
        foreach (var strategy in Strategies(scoreShape))
        {
            var e = Assert.ThrowsExactly<ArgumentException>(() => strategy.SelectIndices("layer", vector, 1));
            StringAssert.Contains(e.Message, "2-D");
            StringAssert.Contains(e.Message, "[6]");
            Assert.ThrowsExactly<ArgumentException>(() => strategy.SelectIndices("layer", cube, 1));
        }
    }

    [TestMethod]
    public void ModulePathAndWeightAreRequired()
    {
        using var weight = ones(2, 2);
        foreach (var strategy in Strategies(weight))
        {
            Assert.ThrowsExactly<ArgumentNullException>(() => strategy.SelectIndices(null!, weight, 1));
            Assert.ThrowsExactly<ArgumentException>(() => strategy.SelectIndices(" ", weight, 1));
            Assert.ThrowsExactly<ArgumentNullException>(() => strategy.SelectIndices("layer", null!, 1));
        }
    }

    [TestMethod]
    public void NaNScoresAreRejectedWithTheModulePath()
    {
        using var weight = tensor(new float[] { 1, float.NaN, 3, 4 }).reshape(2, 2);
        var e = Assert.ThrowsExactly<ArgumentException>(() => new WeightMagnitudeMask().SelectIndices("blk.3.fc", weight, 1));
        StringAssert.Contains(e.Message, "blk.3.fc");
        StringAssert.Contains(e.Message, "NaN");
    }

    [TestMethod]
    public void UnknownEnumValuesAreRejected()
    {
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => MaskFactory.Create((MaskType)42, 0));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new StructMask(0, (StructMaskAxes)9));
    }
}
