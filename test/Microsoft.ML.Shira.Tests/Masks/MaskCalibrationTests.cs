using Microsoft.ML.Shira.Masks;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Tests.Masks;

[TestClass]
public sealed class MaskCalibrationTests
{
    private static void AssertClose(Tensor expected, Tensor actual, string message)
    {
        CollectionAssert.AreEqual(expected.shape, actual.shape, message);
        Assert.IsTrue(expected.allclose(actual, rtol: 1e-5, atol: 1e-6), $"{message}: expected {expected.ToString(global::TorchSharp.TensorStringStyle.Julia)} got {actual.ToString(global::TorchSharp.TensorStringStyle.Julia)}");
    }

    [TestMethod]
    [DataRow(MaskType.Gradient)]
    [DataRow(MaskType.Snip)]
    public void ScoresAreTheHandComputedSumsOverTheBatches(MaskType type)
    {
        using var fixture = new CalibrationFixture();
        var scores = new MaskCalibration().ComputeScores(type, fixture.Model, fixture.BothWeights, fixture.Batches, fixture.Loss);

        CollectionAssert.AreEquivalent(new[] { "0", "2" }, scores.Keys.ToArray());
        var (first, second) = fixture.HandComputedScores(3, snip: type == MaskType.Snip);
        AssertClose(first, scores["0"], "layer 0");
        AssertClose(second, scores["2"], "layer 2");
        Assert.AreEqual(ScalarType.Float32, scores["0"].dtype);
        Assert.IsFalse(scores["0"].requires_grad);
    }

    [TestMethod]
    public void TheModelIsLeftAsItWasFound()
    {
        using var fixture = new CalibrationFixture();
        var parameters = fixture.Model.parameters().ToList();
        fixture.Second.bias!.requires_grad = false;
        fixture.First.weight.grad = full(5, 4, 7f);
        var before = parameters.Select(p => p.detach().clone()).ToList();
        var requiresGrad = parameters.Select(p => p.requires_grad).ToList();

        foreach (var type in new[] { MaskType.Gradient, MaskType.Snip })
            new MaskCalibration().ComputeScores(type, fixture.Model, fixture.BothWeights, fixture.Batches, fixture.Loss);

        for (int i = 0; i < parameters.Count; i++)
        {
            MaskAssert.BitwiseEqual(before[i], parameters[i], $"parameter {i} changed");
            Assert.AreEqual(requiresGrad[i], parameters[i].requires_grad, $"parameter {i} requires_grad");
        }
        MaskAssert.BitwiseEqual(full(5, 4, 7f), fixture.First.weight.grad!, "the existing gradient is kept");
        Assert.IsNull(fixture.Second.weight.grad);
        Assert.IsNull(fixture.First.bias!.grad, "non-target parameters gain no gradient");
        Assert.IsNull(fixture.Second.bias.grad);
    }

    [TestMethod]
    public void TheModelIsRestoredWhenTheLossThrows()
    {
        using var fixture = new CalibrationFixture();
        var parameters = fixture.Model.parameters().ToList();
        fixture.First.bias!.requires_grad = false;
        var requiresGrad = parameters.Select(p => p.requires_grad).ToList();
        int calls = 0;
        Tensor Failing((Tensor X, Tensor Y) batch) => ++calls == 2 ? throw new InvalidDataException("bad batch") : fixture.Loss(batch);

        Assert.ThrowsExactly<InvalidDataException>(() =>
            new MaskCalibration().ComputeScores(MaskType.Gradient, fixture.Model, fixture.BothWeights, fixture.Batches, Failing));

        CollectionAssert.AreEqual(requiresGrad, parameters.Select(p => p.requires_grad).ToList());
        Assert.IsTrue(parameters.All(p => p.grad is null), "no gradient is left behind");
    }

    [TestMethod]
    public void OnlyTheFirstMaxBatchesAreEnumerated()
    {
        using var fixture = new CalibrationFixture(batchCount: 5);
        int enumerated = 0;
        IEnumerable<(Tensor X, Tensor Y)> Counting()
        {
            foreach (var batch in fixture.Batches)
            {
                enumerated++;
                yield return batch;
            }
        }

        var calibration = new MaskCalibration { MaxBatches = 2 };
        Assert.AreEqual(8, new MaskCalibration().MaxBatches, "default");
        var scores = calibration.ComputeScores(MaskType.Gradient, fixture.Model, fixture.BothWeights, Counting(), fixture.Loss);

        Assert.AreEqual(2, enumerated);
        AssertClose(fixture.HandComputedScores(2, snip: false).First, scores["0"], "layer 0 over 2 batches");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new MaskCalibration { MaxBatches = 0 });
    }

    [TestMethod]
    public void OnlyTheTargetsAreScored()
    {
        using var fixture = new CalibrationFixture();
        var scores = new MaskCalibration().ComputeScores(MaskType.Gradient, fixture.Model, [("2", fixture.Second.weight)], fixture.Batches, fixture.Loss);
        CollectionAssert.AreEqual(new[] { "2" }, scores.Keys.ToArray());
        AssertClose(fixture.HandComputedScores(3, snip: false).Second, scores["2"], "layer 2");
        Assert.IsNull(fixture.First.weight.grad);
    }

    [TestMethod]
    public void GradModeIsEnabledEvenUnderNoGrad()
    {
        using var fixture = new CalibrationFixture();
        IReadOnlyDictionary<string, Tensor> scores;
        using (no_grad())
            scores = new MaskCalibration().ComputeScores(MaskType.Gradient, fixture.Model, fixture.BothWeights, fixture.Batches, fixture.Loss);
        AssertClose(fixture.HandComputedScores(3, snip: false).First, scores["0"], "layer 0");
        Assert.IsTrue(is_grad_enabled(), "grad mode is restored");
    }

    [TestMethod]
    public void SnipAndGradientMasksDifferWhenTheWeightsVary()
    {
        using var fixture = new CalibrationFixture();
        var calibration = new MaskCalibration();
        var gradient = calibration.ComputeScores(MaskType.Gradient, fixture.Model, fixture.BothWeights, fixture.Batches, fixture.Loss);
        var snip = calibration.ComputeScores(MaskType.Snip, fixture.Model, fixture.BothWeights, fixture.Batches, fixture.Loss);

        var byGradient = MaskAssert.Valid(new GradientMask(gradient).SelectIndices("0", fixture.First.weight, 6), 6, 20);
        var bySnip = MaskAssert.Valid(new SnipMask(snip).SelectIndices("0", fixture.First.weight, 6), 6, 20);
        CollectionAssert.AreNotEqual(byGradient, bySnip);

        // SNIP's top 6 is the top 6 of |w| · Σ|g| (w is fixed during calibration).
        var product = (fixture.First.weight.detach().abs() * gradient["0"]).view(-1).data<float>().ToArray();
        var expected = Enumerable.Range(0, 20).OrderByDescending(i => product[i]).ThenBy(i => i).Take(6).Select(i => (long)i).Order().ToArray();
        CollectionAssert.AreEqual(expected, bySnip);
    }

    [TestMethod]
    public void BadArgumentsAreRejected()
    {
        using var fixture = new CalibrationFixture();
        var calibration = new MaskCalibration();
        using var stranger = nn.Linear(4, 5);

        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() =>
            calibration.ComputeScores(MaskType.Random, fixture.Model, fixture.BothWeights, fixture.Batches, fixture.Loss));
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() =>
            calibration.ComputeScores(MaskType.Gradient, fixture.Model, fixture.BothWeights, new List<(Tensor, Tensor)>(), fixture.Loss)).Message, "empty");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() =>
            calibration.ComputeScores(MaskType.Gradient, fixture.Model, [("other.fc", stranger.weight)], fixture.Batches, fixture.Loss)).Message, "'other.fc'");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() =>
            calibration.ComputeScores(MaskType.Gradient, fixture.Model, [("0", fixture.First.weight), ("0", fixture.Second.weight)], fixture.Batches, fixture.Loss)).Message, "twice");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() =>
            calibration.ComputeScores(MaskType.Gradient, fixture.Model, [("0.bias", fixture.First.bias!)], fixture.Batches, fixture.Loss)).Message, "2-D");
        StringAssert.Contains(Assert.ThrowsExactly<InvalidOperationException>(() =>
            calibration.ComputeScores(MaskType.Gradient, fixture.Model, fixture.BothWeights, fixture.Batches, b => fixture.Model.forward(b.X))).Message, "scalar");
        StringAssert.Contains(Assert.ThrowsExactly<InvalidOperationException>(() =>
            calibration.ComputeScores(MaskType.Gradient, fixture.Model, fixture.BothWeights, fixture.Batches, b => b.Y.sum())).Message, "does not depend");
        Assert.IsTrue(fixture.Model.parameters().All(p => p.requires_grad && p.grad is null), "failures leave the model as it was");
    }
}
