using Microsoft.ML.Shira.Masks;
using Microsoft.ML.Shira.Adapters.Injection;
using Microsoft.ML.Shira.Tests.Adapters;
using Microsoft.ML.Shira.Training;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Tests.Training;

[TestClass]
public sealed class AdapterTrainingLoopTests
{
    [TestMethod]
    public void ShiraAtOnePercentLowersLossAndLeavesEveryOtherWeightBitwiseEqual()
    {
        var model = new TinyTransformer(hidden: 32, layers: 2, classes: 3, seed: 11);
        var batches = MakeBatches(model, count: 12);
        var baseline = AdapterTestData.Snapshot(model);

        var injection = ShiraInjector.Inject(model, new ShiraInjectionOptions { TargetModules = { "query", "key", "value", "dense", "fc1", "fc2" } }, new RandomMask(3));
        double before = MeanLoss(model, batches);
        var options = new AdapterTrainingOptions { LearningRate = 0.05, Epochs = 15, WeightDecay = 0.1, ConstantLearningRate = true };
        var steps = new List<TrainingStep>();
        var losses = AdapterTrainingLoop.Run(injection.Parameters(), batches, b => nn.functional.cross_entropy(model.call(b.X), b.Y), options, new SyncProgress(steps));
        double after = MeanLoss(model, batches);

        Assert.HasCount(15 * 12, losses);
        Assert.HasCount(15 * 12, steps);
        Assert.AreEqual(180, steps[^1].Step);
        Assert.IsLessThan(before * 0.8, after, $"Loss should fall by at least 20%: {before:F4} → {after:F4}.");

        // Merge the update into the weights: only the masked entries may differ from the base.
        var indices = injection.Layers.ToDictionary(l => l.ModulePath + ".weight", l => l.Layer.FlatIndices.cpu().data<long>().ToHashSet());
        injection.MergeAndUnload();
        var merged = AdapterTestData.Snapshot(model);
        foreach (var (name, bytes) in baseline)
        {
            if (!indices.TryGetValue(name, out var allowed))
            {
                CollectionAssert.AreEqual(bytes, merged[name], $"Non-adapted tensor '{name}' changed.");
                continue;
            }
            var baseValues = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes);
            var newValues = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(merged[name]);
            int changed = 0;
            for (int i = 0; i < baseValues.Length; i++)
            {
                if (BitConverter.SingleToInt32Bits(baseValues[i]) == BitConverter.SingleToInt32Bits(newValues[i]))
                    continue;
                Assert.Contains((long)i, allowed, $"'{name}' changed at non-indexed position {i}.");
                changed++;
            }
            Assert.IsGreaterThan(0, changed, $"Training should have changed some entries of '{name}'.");
        }
    }

    [TestMethod]
    public void RefusesFrozenParametersAndHonorsCancellation()
    {
        var model = new TinyTransformer();
        var batches = MakeBatches(model, 2);
        var frozen = model.parameters().First();
        frozen.requires_grad = false;
        Assert.ThrowsExactly<ArgumentException>(() => AdapterTrainingLoop.Run(new[] { frozen }, batches, b => model.call(b.X).sum()));

        var injection = ShiraInjector.Inject(model, new ShiraInjectionOptions { TargetModules = { "query" } }, new RandomMask(1));
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsExactly<OperationCanceledException>(() =>
            AdapterTrainingLoop.Run(injection.Parameters(), batches, b => model.call(b.X).sum(), cancellationToken: cts.Token));
    }

    [TestMethod]
    public void LinearScheduleWarmsUpAndDecaysToZero()
    {
        var options = new AdapterTrainingOptions { LearningRate = 1.0, WarmupSteps = 2 };
        Assert.AreEqual(0.5, AdapterTrainingLoop.LearningRateAt(0, 10, options), 1e-12);
        Assert.AreEqual(1.0, AdapterTrainingLoop.LearningRateAt(1, 10, options), 1e-12);
        Assert.AreEqual(1.0, AdapterTrainingLoop.LearningRateAt(2, 10, options), 1e-12);
        Assert.AreEqual(0.125, AdapterTrainingLoop.LearningRateAt(9, 10, options), 1e-12);
    }

    private sealed record Batch(Tensor X, Tensor Y);

    private sealed class SyncProgress(List<TrainingStep> sink) : IProgress<TrainingStep>
    {
        public void Report(TrainingStep value) => sink.Add(value);
    }

    private static List<Batch> MakeBatches(TinyTransformer model, int count)
    {
        manual_seed(123);
        var teacher = randn(32, 3);
        var batches = new List<Batch>();
        for (int i = 0; i < count; i++)
        {
            var x = randn(16, 6, 32);
            var y = matmul(x.mean(new long[] { 1 }), teacher).argmax(1);
            batches.Add(new Batch(x, y));
        }
        return batches;
    }

    private static double MeanLoss(TinyTransformer model, IEnumerable<Batch> batches)
    {
        using var _ = no_grad();
        return batches.Average(b => nn.functional.cross_entropy(model.call(b.X), b.Y).item<float>());
    }
}
