using System.Diagnostics;
using Microsoft.ML.Shira.Adapters.Injection;
using Microsoft.ML.Shira.Masks;
using Microsoft.ML.Shira.Tests.Adapters;
using Microsoft.ML.Shira.Training;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Tests.Training;

/// <summary>The one training loop both tasks plug into, driven here by a tiny classifier.</summary>
[TestClass]
public sealed class FineTuningLoopTests
{
    private static LoopSettings Settings(int epochs, double weightDecay = 0, double warmup = 0, int patience = 0, CancellationToken token = default) =>
        new(epochs, weightDecay, warmup, MaxGradNorm: 1.0, patience, token);

    [TestMethod]
    public void ShiraAtOnePercentLowersLossAndLeavesEveryOtherWeightBitwiseEqual()
    {
        var model = new TinyTransformer(hidden: 32, layers: 2, classes: 3, seed: 11);
        var batches = TinyTrainingTask.Batches(12);
        var baseline = AdapterTestData.Snapshot(model);
        var injection = ShiraInjector.Inject(model, new ShiraInjectionOptions { TargetModules = { "query", "key", "value", "dense", "fc1", "fc2" } }, new RandomMask(3));
        var task = new TinyTrainingTask(model);
        double before = task.MeanLoss(batches);
        using var log = new CollectedLog();

        FineTuningLoop.Run(task, [new ParameterGroup(injection.Parameters().ToList(), 0.05)], new TinyTrainingTask.Fixed(batches), null,
            Settings(epochs: 15, weightDecay: 0.1), log.Log, Stopwatch.StartNew());
        double after = task.MeanLoss(batches);

        Assert.HasCount(15 * 12, task.StepLosses);
        Assert.HasCount(15, task.Reports.Where(r => r.IsEpochEnd).ToList());
        Assert.AreEqual(180, task.Reports[^1].Step);
        Assert.AreEqual(180, task.Reports[^1].TotalSteps);
        Assert.IsLessThan(before * 0.8, after, $"Loss should fall by at least 20%: {before:F4} → {after:F4}.");
        Assert.HasCount(15, log.Messages.Where(m => m.StartsWith("Epoch ", StringComparison.Ordinal)).ToList(), string.Join("\n", log.Messages));
        Assert.IsFalse(model.training, "The loop leaves the model in eval mode.");

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
        var batches = new TinyTrainingTask.Fixed(TinyTrainingTask.Batches(2));
        var task = new TinyTrainingTask(model);
        using var log = new CollectedLog();
        var frozen = model.parameters().First();
        frozen.requires_grad = false;
        var ex = Assert.ThrowsExactly<ArgumentException>(() =>
            FineTuningLoop.Run(task, [new ParameterGroup([frozen], 0.01)], batches, null, Settings(1), log.Log, Stopwatch.StartNew()));
        StringAssert.Contains(ex.Message, "frozen weights must not reach the optimizer");
        Assert.ThrowsExactly<ArgumentException>(() =>
            FineTuningLoop.Run(task, [new ParameterGroup([], 0.01)], batches, null, Settings(1), log.Log, Stopwatch.StartNew()));

        var injection = ShiraInjector.Inject(model, new ShiraInjectionOptions { TargetModules = { "query" } }, new RandomMask(1));
        var before = injection.Layers.Select(l => l.Layer.Values.detach().clone()).ToList();
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsExactly<OperationCanceledException>(() =>
            FineTuningLoop.Run(task, [new ParameterGroup(injection.Parameters().ToList(), 0.01)], batches, null, Settings(1, token: cts.Token), log.Log, Stopwatch.StartNew()));
        for (int i = 0; i < before.Count; i++)
            Assert.IsTrue(before[i].eq(injection.Layers[i].Layer.Values).all().item<bool>(), "A cancelled run changes nothing before its first step.");
    }

    [TestMethod]
    public void DivergenceNamesTheStepAndTheTaskHint()
    {
        var model = new TinyTransformer(seed: 4);
        var injection = ShiraInjector.Inject(model, new ShiraInjectionOptions { TargetModules = { "query" } }, new RandomMask(1));
        var batches = TinyTrainingTask.Batches(3);
        using (no_grad())
            batches[1].X.fill_(float.NaN);
        using var log = new CollectedLog();
        var ex = Assert.ThrowsExactly<InvalidOperationException>(() => FineTuningLoop.Run(new TinyTrainingTask(model),
            [new ParameterGroup(injection.Parameters().ToList(), 0.01)], new TinyTrainingTask.Fixed(batches), null, Settings(1), log.Log, Stopwatch.StartNew()));
        Assert.AreEqual(
            "The training loss became NaN at epoch 1, step 2 (batch 2 of 3, training rows 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31); " +
            "nothing was updated from it; lower the test's learning rate.", ex.Message);
    }

    [TestMethod]
    public void KeepsTheBestValidatedEpochAndStopsWhenPatienceRunsOut()
    {
        var model = new TinyTransformer(seed: 5);
        var injection = ShiraInjector.Inject(model, new ShiraInjectionOptions { TargetModules = { "query", "key", "value", "dense" } }, new RandomMask(2));
        var train = TinyTrainingTask.Batches(4, seed: 1);
        // Validation labels from another teacher: training soon makes the validation loss worse, so an early epoch wins.
        var validation = TinyTrainingTask.Batches(2, seed: 99);
        var task = new TinyTrainingTask(model);
        using var log = new CollectedLog();

        FineTuningLoop.Run(task, [new ParameterGroup(injection.Parameters().ToList(), 0.2)], new TinyTrainingTask.Fixed(train), validation,
            Settings(epochs: 12, patience: 2), log.Log, Stopwatch.StartNew());

        var epochs = task.Reports.Where(r => r.IsEpochEnd).ToList();
        int best = epochs.Select((r, i) => (Value: r.Validation!.Value, Epoch: i + 1)).MinBy(e => e.Value).Epoch;
        Assert.IsLessThan(12, epochs.Count, "Patience 2 stops before the last epoch. " + string.Join("\n", log.Messages));
        Assert.AreEqual(best + 2, epochs.Count, "Training stops two stale epochs after the best one.");
        Assert.AreEqual($"Early stopping after epoch {epochs.Count}: no lower validation loss for 2 epoch(s).", log.Messages[^2]);
        Assert.AreEqual($"Keeping epoch {best} (validation loss {epochs[best - 1].Validation:F4}).", log.Messages[^1]);
        Assert.AreEqual(epochs[best - 1].Validation!.Value, task.MeanLoss(validation), 1e-6, "The kept epoch's values are restored.");
    }

    [TestMethod]
    public void LinearScheduleWarmsUpAndDecaysToZero()
    {
        var schedule = new LearningRateSchedule(TotalSteps: 10, WarmupSteps: 2);
        Assert.AreEqual(0.5, schedule.FactorAt(0), 1e-12);
        Assert.AreEqual(1.0, schedule.FactorAt(1), 1e-12);
        Assert.AreEqual(1.0, schedule.FactorAt(2), 1e-12);
        Assert.AreEqual(0.125, schedule.FactorAt(9), 1e-12);
        Assert.AreEqual(2, LearningRateSchedule.Linear(20, 0.1).WarmupSteps);
        Assert.AreEqual(0.1, new LearningRateSchedule(10, 0).FactorAt(9), 1e-12);
    }
}
