using System.Text.Json.Nodes;
using Microsoft.ML.Shira.Sweeps;
using Microsoft.ML.Shira.Tests.MlNet;
using Microsoft.ML.Shira.TextClassification;
using Microsoft.ML.Shira.TextGeneration;
using TorchSharp;

namespace Microsoft.ML.Shira.Tests.Sweeps;

/// <summary>
/// Sweeps that really train (MiniLM on a small SST-2 slice, stories260K on Shakespeare), with small budgets: the best
/// is the best of what was measured, failures and cancellations are recorded and do not stop the sweep, losers'
/// tensors are released, and results are exported.
/// </summary>
[TestClass]
public sealed class SweepExperimentTests
{
    private static MLContext Context() => new(seed: 1);

    private static IDataView Train(MLContext ml) => ml.Data.LoadFromEnumerable(Sst2Data.ReadBinary("train", 96, skip: 500));

    private static IDataView Validation(MLContext ml) => ml.Data.LoadFromEnumerable(Sst2Data.ReadBinary("dev", 64));

    private static ShiraTextClassificationOptions Options() => new()
    {
        Epochs = 1,
        BatchSize = 16,
        MaxSequenceLength = 24,
        NumberOfThreads = 1,
    };

    [TestMethod]
    public async Task ABinarySweepRecordsAFailedTrialGoesOnAndReturnsTheBestOfTheRest()
    {
        var ml = Context();
        var space = new ShiraSearchSpace()
            .Add(new ChoiceParameter(SweepParameterNames.LearningRateMultiplier, 0.3, 1.0, 3.0))
            // "nomodule" matches no module of MiniLM, so trials with it fail.
            .Add(new ChoiceParameter(SweepParameterNames.TargetModules, "query,value", "nomodule"));
        var events = new List<SweepProgress>();
        using var result = await ml.Shira().CreateSweep(Train(ml), Options())
            .SetValidationData(Validation(ml))
            .SetSearchSpace(space)
            .SetTuner(SweepTuners.Grid())
            .SetMaxTrials(4)
            .SetSeed(2)
            .KeepBestAdapters(2)
            .SetProgress(new Synchronous<SweepProgress>(events.Add))
            .RunAsync();

        Assert.HasCount(4, result.Trials, "Grid order: (0.3, query,value), (0.3, nomodule), (1.0, query,value), (1.0, nomodule).");
        var failed = result.Trials.Where(t => t.Status == SweepTrialStatus.Failed).ToList();
        CollectionAssert.AreEqual(new[] { 2, 4 }, failed.Select(t => t.Id).ToArray());
        StringAssert.Contains(failed[0].Outcome.Error, "nomodule");
        Assert.IsNull(failed[0].Metric);
        Assert.HasCount(8, events, "A start and an end for each trial.");

        // The best is the best measured: recompute the accuracy of the returned model on the validation rows.
        var succeeded = result.Trials.Where(t => t.Status == SweepTrialStatus.Succeeded).ToList();
        Assert.HasCount(2, succeeded);
        var best = succeeded.MaxBy(t => t.Metric!.Value)!;
        Assert.AreEqual(best.Id, result.BestTrial!.Id);
        Assert.AreSame(result.BestTrial, result.Leaderboard[0]);
        var model = (ShiraTextClassificationTransformer)result.BestModel!;
        double measured = ml.BinaryClassification.Evaluate(model.Transform(Validation(ml))).Accuracy;
        Assert.AreEqual(best.Metric!.Value, measured, 1e-12);
        foreach (var t in succeeded)
            Assert.AreEqual(6L * (1475 + 1475), t.Outcome.TrainableParameters, "1% of query and value in 6 layers (round(0.01·384²) = 1475 each).");

        // Both successful adapters end up on the best model; switching to the runner-up reproduces its metric.
        CollectionAssert.AreEqual(succeeded.OrderByDescending(t => t.Metric).ThenBy(t => t.Id).Select(t => $"trial{t.Id}").ToList(), result.KeptAdapters.ToList());
        var second = result.Leaderboard[1];
        model.SwitchTo($"trial{second.Id}");
        Assert.AreEqual(second.Metric!.Value, ml.BinaryClassification.Evaluate(model.Transform(Validation(ml))).Accuracy, 1e-12);
    }

    [TestMethod]
    public async Task ATrialWhoseLossBecomesNonFiniteIsRecordedAsFailed()
    {
        var ml = Context();
        using var result = await ml.Shira().CreateSweep(Train(ml), Options())
            .SetValidationData(Validation(ml))
            .SetSearchSpace(new ShiraSearchSpace().Add(new ChoiceParameter(SweepParameterNames.LearningRate, 1e30, 1e-2)))
            .SetTuner(SweepTuners.Grid())
            .RunAsync();
        Assert.AreEqual(SweepTrialStatus.Failed, result.Trials[0].Status);
        StringAssert.Matches(result.Trials[0].Outcome.Error, new System.Text.RegularExpressions.Regex(@"^InvalidOperationException: The (training loss|gradient norm) became "));
        Assert.AreEqual(SweepTrialStatus.Succeeded, result.Trials[1].Status, "The sweep went on.");
        Assert.AreEqual(2, result.BestTrial!.Id);
    }

    [TestMethod]
    public async Task LosingTrialsGiveBackTheirTensors()
    {
        // A sweep runs in-process trials on the calling thread, so this thread's live-tensor count sees all of them.
        var ml = Context();
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        using (var single = ml.Shira().Train(Train(ml), Options()))
        {
        }
        long afterOneDisposed = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        long oneModel;
        using (var model = ml.Shira().Train(Train(ml), Options()))
            oneModel = DisposeScopeManager.Statistics.ThreadTotalLiveCount - afterOneDisposed;

        long sweepStart = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        var result = await ml.Shira().CreateSweep(Train(ml), Options())
            .SetValidationData(Validation(ml))
            .SetSearchSpace(new ShiraSearchSpace().Add(new ChoiceParameter(SweepParameterNames.LearningRateMultiplier, 0.25, 0.5, 1.0, 2.0)))
            .SetTuner(SweepTuners.Grid())
            .SetMaxTrials(4)
            .RunAsync();
        long withBest = DisposeScopeManager.Statistics.ThreadTotalLiveCount - sweepStart;
        result.Dispose();
        long afterAll = DisposeScopeManager.Statistics.ThreadTotalLiveCount - sweepStart;
        Console.WriteLine($"Live tensors: one trained model {oneModel}; after a 4-trial sweep keeping 1: {withBest}; after disposing the result: {afterAll} (a training run leaves {afterOneDisposed - before} to the finalizer).");
        Assert.IsGreaterThan(100, oneModel);
        Assert.IsLessThanOrEqualTo(oneModel + 4 * 4, withBest, "Only the best model is alive (each run may leave ≤4 handles to the finalizer).");
        Assert.IsLessThanOrEqualTo(4 * 4, afterAll, "Disposing the result releases the best model.");
    }

    [TestMethod]
    public async Task BudgetsAndCancellationAreRespected()
    {
        var ml = Context();
        ShiraSweepExperiment Sweep() => ml.Shira().CreateSweep(Train(ml), Options())
            .SetValidationData(Validation(ml))
            .SetSearchSpace(new ShiraSearchSpace().Add(new RangeParameter(SweepParameterNames.LearningRateMultiplier, 0.5, 2, logScale: true)));

        using (var two = await Sweep().SetMaxTrials(2).RunAsync())
            Assert.HasCount(2, two.Trials, "Random search never runs out: the trial budget stops it.");

        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        using (var none = await Sweep().RunAsync(cancelled.Token))
        {
            Assert.IsEmpty(none.Trials);
            Assert.IsTrue(none.Cancelled);
            Assert.IsNull(none.BestModel);
        }

        // Cancelled as the second trial starts: it is recorded as cancelled, the first keeps its result.
        using var midway = new CancellationTokenSource();
        var progress = new Synchronous<SweepProgress>(p =>
        {
            if (p.Result is null && p.Trial.Id == 2)
                midway.Cancel();
        });
        using (var partial = await Sweep().SetMaxTrials(5).SetProgress(progress).RunAsync(midway.Token))
        {
            Assert.IsTrue(partial.Cancelled);
            CollectionAssert.AreEqual(new[] { SweepTrialStatus.Succeeded, SweepTrialStatus.Cancelled }, partial.Trials.Select(t => t.Status).ToArray());
            Assert.AreEqual(1, partial.BestTrial!.Id);
        }

        // A time budget that ends during the first trial: it is cancelled and nothing else starts.
        using (var timed = await Sweep().SetMaxTrials(5).SetTimeBudget(TimeSpan.FromMilliseconds(300)).RunAsync())
        {
            Assert.HasCount(1, timed.Trials);
            Assert.AreEqual(SweepTrialStatus.Cancelled, timed.Trials[0].Status);
            Assert.IsFalse(timed.Cancelled, "The budget, not the caller, stopped it.");
        }
    }

    [TestMethod]
    public async Task TheLeaderboardExportsAsCsvAndJson()
    {
        var ml = Context();
        using var result = await ml.Shira().CreateSweep(Train(ml), Options())
            .SetValidationFraction(0.25)
            .SetMetric(SweepMetric.MacroF1)
            .SetSearchSpace(new ShiraSearchSpace()
                .Add(new ChoiceParameter(SweepParameterNames.Method, FineTuningMethod.Shira, FineTuningMethod.Lora))
                .Add(new RangeParameter(SweepParameterNames.LearningRateMultiplier, 0.5, 2, logScale: true)))
            .SetTuner(SweepTuners.SuccessiveHalving(minEpochs: 1, maxEpochs: 2, reductionFactor: 2))
            .SetMaxTrials(3)
            .RunAsync();
        string directory = TestPaths.NewTempDirectory();
        try
        {
            result.SaveCsv(Path.Combine(directory, "leaderboard.csv"));
            result.SaveJson(Path.Combine(directory, "sweep.json"));
            result.SaveChart(Path.Combine(directory, "sweep.png"), width: 640, height: 360);
            var png = File.ReadAllBytes(Path.Combine(directory, "sweep.png"));
            CollectionAssert.AreEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
            Assert.AreEqual(640, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)), "IHDR width");
            Assert.AreEqual(360, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)), "IHDR height");
            CollectionAssert.AreEquivalent(new[] { "leaderboard.csv", "sweep.json", "sweep.png" }, Directory.GetFiles(directory).Select(Path.GetFileName).ToList(), "No temporary file is left.");
            var lines = File.ReadAllLines(Path.Combine(directory, "leaderboard.csv"));
            Assert.AreEqual("Rank,Trial,Status,MacroF1,Method,LearningRateMultiplier,Epochs,PromotedFrom,DurationSeconds,TrainableParameters,PeakMemoryMb,Attempts,Worker,Error", lines[0]);
            Assert.HasCount(4, lines);
            Assert.StartsWith($"1,{result.BestTrial!.Id},Succeeded,", lines[1]);
            var json = JsonNode.Parse(File.ReadAllText(Path.Combine(directory, "sweep.json")))!;
            Assert.AreEqual("MacroF1", (string)json["metric"]!);
            Assert.AreEqual(result.BestTrial.Id, (int)json["bestTrial"]!);
            var trials = json["trials"]!.AsArray();
            Assert.HasCount(3, trials);
            Assert.AreEqual(result.BestTrial.Metric!.Value, (double)trials[0]!["metric"]!, 0);
            // Trial 3 is trial 1 or 2 promoted to 2 epochs (the better of the two at 1 epoch).
            var promoted = result.Trials.Single(t => t.Id == 3);
            Assert.AreEqual(2, promoted.Trial.Epochs);
            int parent = promoted.Trial.ContinuesTrial!.Value;
            Assert.AreEqual(result.Trials.Where(t => t.Id < 3).MaxBy(t => t.Objective)!.Id, parent);
            Console.WriteLine(result.FormatLeaderboard());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [TestMethod]
    public async Task AGenerationSweepMinimizesPerplexity()
    {
        var ml = Context();
        var train = ml.Data.LoadFromEnumerable(TextGenerationData.ShakespeareTrain(64));
        var validation = ml.Data.LoadFromEnumerable(TextGenerationData.ShakespeareHeldOut(24));
        using var result = await ml.Shira().CreateSweep(train, new ShiraTextGenerationOptions { Epochs = 1, BatchSize = 8, MaxSequenceLength = 32, NumberOfThreads = 1 })
            .SetValidationData(validation)
            .SetSearchSpace(new ShiraSearchSpace().Add(new ChoiceParameter(SweepParameterNames.LearningRateMultiplier, 0.1, 1.0, 3.0)))
            .SetTuner(SweepTuners.Grid())
            .RunAsync();
        Assert.AreEqual(SweepMetric.Perplexity, result.Metric);
        Assert.HasCount(3, result.Trials);
        var lowest = result.Trials.MinBy(t => t.Metric!.Value)!;
        Assert.AreEqual(lowest.Id, result.BestTrial!.Id, "Lower perplexity is better.");
        var model = (ShiraTextGenerationTransformer)result.BestModel!;
        Assert.AreEqual(lowest.Metric!.Value, model.Perplexity(validation), 1e-9);
    }

    [TestMethod]
    public void MetricsThatDoNotFitTheTaskAreRefused()
    {
        var ml = Context();
        var multiclass = ml.Data.LoadFromEnumerable(Sst2Data.Read("train", 8));
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(multiclass).Transform(multiclass);
        var error = Assert.ThrowsExactly<ArgumentException>(() => ml.Shira().CreateSweep(keyed, Options()).SetMetric(SweepMetric.Auc).CreateTrialWork());
        StringAssert.Contains(error.Message, "binary");
        Assert.ThrowsExactly<ArgumentException>(() => ml.Shira().CreateSweep(keyed, Options()).SetMetric(SweepMetric.Perplexity));
        Assert.ThrowsExactly<ArgumentException>(() => ml.Shira().CreateSweep(keyed, new ShiraTextGenerationOptions()).SetMetric(SweepMetric.Accuracy));
        Assert.ThrowsExactly<ArgumentException>(() => ml.Shira().CreateSweep(keyed, new ShiraTextGenerationOptions())
            .SetSearchSpace(new ShiraSearchSpace().Add(new RangeParameter(SweepParameterNames.HeadLearningRate, 1e-3, 1e-1))));
    }

    /// <summary>Reports on the reporting thread (<see cref="Progress{T}"/> would post to the thread pool).</summary>
    private sealed class Synchronous<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
