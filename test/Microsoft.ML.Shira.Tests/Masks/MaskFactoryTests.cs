using Microsoft.ML.Shira.Masks;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Tests.Masks;

[TestClass]
public sealed class MaskFactoryTests
{
    [TestMethod]
    public void CreatesTheStrategyOfEachType()
    {
        var scores = new Dictionary<string, Tensor>();
        Assert.IsInstanceOfType<StructMask>(MaskFactory.Create(MaskType.Struct, 1));
        Assert.IsInstanceOfType<RandomMask>(MaskFactory.Create(MaskType.Random, 1));
        Assert.IsInstanceOfType<WeightMagnitudeMask>(MaskFactory.Create(MaskType.WeightMagnitude, 1));
        Assert.IsInstanceOfType<GradientMask>(MaskFactory.Create(MaskType.Gradient, 1, scores));
        Assert.IsInstanceOfType<SnipMask>(MaskFactory.Create(MaskType.Snip, 1, scores));
        foreach (var type in Enum.GetValues<MaskType>())
            Assert.AreEqual(type, MaskFactory.Create(type, 1, scores).Type);
    }

    [TestMethod]
    public void PassesSeedAndAxes()
    {
        var random = (RandomMask)MaskFactory.Create(MaskType.Random, 123);
        Assert.AreEqual(123, random.Seed);
        Assert.IsTrue(random.PerLayerSeed);
        var structured = (StructMask)MaskFactory.Create(MaskType.Struct, 9, structAxes: StructMaskAxes.Columns);
        Assert.AreEqual(9, structured.Seed);
        Assert.AreEqual(StructMaskAxes.Columns, structured.Axes);
    }

    [TestMethod]
    public void GradientAndSnipNeedScores()
    {
        foreach (var type in new[] { MaskType.Gradient, MaskType.Snip })
        {
            var e = Assert.ThrowsExactly<ArgumentNullException>(() => MaskFactory.Create(type, 1));
            Assert.AreEqual("scores", e.ParamName);
            StringAssert.Contains(e.Message, "MaskCalibration");
        }
    }
}
