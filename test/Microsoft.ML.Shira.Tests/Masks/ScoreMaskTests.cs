using Microsoft.ML.Shira.Masks;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Tests.Masks;

/// <summary><see cref="GradientMask"/> and <see cref="SnipMask"/>: top-k over calibration scores.</summary>
[TestClass]
public sealed class ScoreMaskTests
{
    private static IMaskStrategy Create(MaskType type, IReadOnlyDictionary<string, Tensor> scores) =>
        type == MaskType.Gradient ? new GradientMask(scores) : new SnipMask(scores);

    [TestMethod]
    [DataRow(MaskType.Gradient)]
    [DataRow(MaskType.Snip)]
    public void ChoosesThePlantedLargestScores(MaskType type)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(2, CPU);
        var score = rand([10, 12], generator: generator);               // < 1
        var planted = new long[] { 0, 13, 57, 64, 119 };
        foreach (long position in planted)
            score.view(-1)[position].fill_(10 + position);
        // The weight's values play no part: the scores are already |g| or |w·g|.
        var weight = randn([10, 12], generator: generator).mul_(1000);
        var mask = Create(type, new Dictionary<string, Tensor> { ["a"] = score, ["b"] = zeros(3, 3) });

        Assert.AreEqual(type, mask.Type);
        CollectionAssert.AreEqual(planted, MaskAssert.Valid(mask.SelectIndices("a", weight, planted.Length), planted.Length, 120));
        CollectionAssert.AreEqual(new long[] { 0, 1, 2, 3 }, MaskAssert.Valid(mask.SelectIndices("b", zeros(3, 3), 4), 4, 9), "all-zero scores: lowest positions");
    }

    [TestMethod]
    [DataRow(MaskType.Gradient)]
    [DataRow(MaskType.Snip)]
    public void AcceptsScoresOfAnotherDtype(MaskType type)
    {
        using var scope = NewDisposeScope();
        var score = tensor(new double[] { 0.1, 0.9, 0.3, 0.8, 0.2, 0.7 }).reshape(2, 3);
        var mask = Create(type, new Dictionary<string, Tensor> { ["fc"] = score });
        CollectionAssert.AreEqual(new long[] { 1, 3, 5 }, MaskAssert.Valid(mask.SelectIndices("fc", zeros(2, 3, ScalarType.BFloat16), 3), 3, 6));
    }

    [TestMethod]
    [DataRow(MaskType.Gradient)]
    [DataRow(MaskType.Snip)]
    public void ALayerWithoutScoreIsNamedInTheError(MaskType type)
    {
        using var scope = NewDisposeScope();
        var mask = Create(type, new Dictionary<string, Tensor> { ["encoder.0.q"] = ones(4, 4) });
        var e = Assert.ThrowsExactly<KeyNotFoundException>(() => mask.SelectIndices("encoder.0.v", ones(4, 4), 2));
        StringAssert.Contains(e.Message, "'encoder.0.v'");
        StringAssert.Contains(e.Message, type.ToString());
        StringAssert.Contains(e.Message, "encoder.0.q");
    }

    [TestMethod]
    [DataRow(MaskType.Gradient)]
    [DataRow(MaskType.Snip)]
    public void AScoreOfTheWrongShapeIsRejected(MaskType type)
    {
        using var scope = NewDisposeScope();
        var mask = Create(type, new Dictionary<string, Tensor> { ["fc"] = ones(4, 3) });
        var e = Assert.ThrowsExactly<ArgumentException>(() => mask.SelectIndices("fc", ones(3, 4), 2));
        StringAssert.Contains(e.Message, "'fc'");
        StringAssert.Contains(e.Message, "[4, 3]");
        StringAssert.Contains(e.Message, "[3, 4]");
    }

    [TestMethod]
    public void NullScoresAreRejected()
    {
        Assert.ThrowsExactly<ArgumentNullException>(() => new GradientMask(null!));
        Assert.ThrowsExactly<ArgumentNullException>(() => new SnipMask(null!));
        Assert.ThrowsExactly<ArgumentException>(() => new SnipMask(new Dictionary<string, Tensor> { ["fc"] = null! }));
    }
}
