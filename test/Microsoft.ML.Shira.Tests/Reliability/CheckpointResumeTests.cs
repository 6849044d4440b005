using Microsoft.ML.Shira.Adapters;
using Microsoft.ML.Shira.Decoding;
using Microsoft.ML.Shira.Tests.MlNet;
using Microsoft.ML.Shira.TextClassification;
using Microsoft.ML.Shira.TextGeneration;
using Microsoft.ML.Shira.Training.Checkpoints;

namespace Microsoft.ML.Shira.Tests.Reliability;

/// <summary>
/// Long runs survive interruption: a run cancelled mid-epoch (or one whose newest checkpoint is lost, as after a crash)
/// resumes from its checkpoint and ends with exactly the adapter, head and validation state of an uninterrupted run.
/// </summary>
[TestClass]
public sealed class CheckpointResumeTests
{
    [TestMethod]
    public void AClassifierCancelledMidEpochResumesToTheUninterruptedResult()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(Sst2Data.ReadBinary("train", 72));
        var validation = ml.Data.LoadFromEnumerable(Sst2Data.ReadBinary("dev", 24));
        ShiraTextClassificationOptions Options(string? directory, CancellationToken token = default, Action<ShiraTextClassificationProgress>? onStep = null) => new()
        {
            Sentence1ColumnName = nameof(BinarySentimentRow.Sentence1),
            Epochs = 3,
            BatchSize = 16,
            MaxSequenceLength = 24,
            NumberOfThreads = 1,
            Seed = 9,
            ValidationSet = validation,
            EarlyStoppingPatience = 0,
            CheckpointDirectory = directory,
            CheckpointEverySteps = 2,
            CancellationToken = token,
            Progress = onStep is null ? null : new TestProgress<ShiraTextClassificationProgress>(onStep),
        };

        using var uninterrupted = ml.Shira().Train(train, Options(null));
        string directory = TestPaths.NewTempDirectory();
        try
        {
            // 5 batches an epoch: step 8 is the third batch of epoch 2, after the checkpoint of step 6.
            using var cancel = new CancellationTokenSource();
            Assert.ThrowsExactly<OperationCanceledException>(() => ml.Shira().Train(train, Options(directory, cancel.Token, p =>
            {
                if (!p.IsEpochEnd && p.Step == 8)
                    cancel.Cancel();
            })));
            using (var checkpoint = TrainingCheckpoint.Load(directory))
                Assert.AreEqual((2, 3, 8), (checkpoint!.Position.Epoch, checkpoint.Position.BatchesDone, checkpoint.Position.Step), "Cancelling writes the last completed step.");

            var log = new List<string>();
            ml.Log += (_, e) => { if (e.Source == "ShiraTextClassification") log.Add(e.RawMessage); };
            using var resumed = ml.Shira().Train(train, Options(directory));
            Assert.IsTrue(log.Any(m => m.StartsWith("Resuming from the checkpoint in", StringComparison.Ordinal)), string.Join("\n", log));
            AssertSameAdapter(uninterrupted.GetAdapter("default"), resumed.GetAdapter("default"));
            CollectionAssert.AreEqual(uninterrupted.GetHead("default").Weight.ToArray(), resumed.GetHead("default").Weight.ToArray());
            CollectionAssert.AreEqual(uninterrupted.GetHead("default").Bias.ToArray(), resumed.GetHead("default").Bias.ToArray());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [TestMethod]
    public void AGeneratorResumesFromAnOlderCheckpointAsAfterACrash()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(TextGenerationData.ShakespeareTrain(40));
        var validation = ml.Data.LoadFromEnumerable(TextGenerationData.ShakespeareTrain(12, skip: 100));
        ShiraTextGenerationOptions Options(string? directory, CancellationToken token = default, Action<ShiraTextGenerationProgress>? onStep = null) => new()
        {
            Epochs = 2,
            BatchSize = 8,
            MaxSequenceLength = 48,
            NumberOfThreads = 1,
            Seed = 4,
            ValidationSet = validation,
            CheckpointDirectory = directory,
            CheckpointEverySteps = 3,
            CancellationToken = token,
            Generation = new GenerationOptions { MaxNewTokens = 8 },
            Progress = onStep is null ? null : new TestProgress<ShiraTextGenerationProgress>(onStep),
        };

        using var uninterrupted = ml.Shira().Train(train, Options(null));
        string directory = TestPaths.NewTempDirectory();
        string older = Path.Combine(TestPaths.NewTempDirectory(), TrainingCheckpoint.FileName);
        try
        {
            using var cancel = new CancellationTokenSource();
            int stepsPerEpoch = 0;
            Assert.ThrowsExactly<OperationCanceledException>(() => ml.Shira().Train(train, Options(directory, cancel.Token, p =>
            {
                if (p.IsEpochEnd)
                    return;
                stepsPerEpoch = p.TotalSteps / p.Epochs;
                // Reported before its checkpoint is written: at step 4 the file holds the checkpoint of step 3.
                if (p.Step == 4)
                    File.Copy(Path.Combine(directory, TrainingCheckpoint.FileName), older);
                if (p.Step == stepsPerEpoch + 2)
                    cancel.Cancel();
            })));
            Assert.IsGreaterThan(4, stepsPerEpoch, "The copied checkpoint is from the first epoch, the cancellation in the second.");
            // A crash loses the newest checkpoint: resume from the one of step 3.
            File.Copy(older, Path.Combine(directory, TrainingCheckpoint.FileName), overwrite: true);

            using var resumed = ml.Shira().Train(train, Options(directory));
            AssertSameAdapter(uninterrupted.GetAdapter("default"), resumed.GetAdapter("default"));
            Assert.AreEqual(uninterrupted.Generate("ROMEO:").Text, resumed.Generate("ROMEO:").Text);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
            Directory.Delete(Path.GetDirectoryName(older)!, recursive: true);
        }
    }

    [TestMethod]
    public void AnotherRunsCheckpointIsRefusedAndADivergenceKeepsTheLastGoodOneUsable()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(TextGenerationData.ShakespeareTrain(24));
        string directory = TestPaths.NewTempDirectory();
        ShiraTextGenerationOptions Options(int seed, double learningRate) => new()
        {
            Epochs = 2,
            BatchSize = 8,
            MaxSequenceLength = 48,
            NumberOfThreads = 1,
            Seed = seed,
            LearningRate = learningRate,
            WarmupProportion = 0,
            MaxGradNorm = 0,
            CheckpointDirectory = directory,
            CheckpointEverySteps = 1,
        };
        try
        {
            using (ml.Shira().Train(train, Options(seed: 1, learningRate: 1e-2)))
            {
            }
            var refused = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Shira().Train(train, Options(seed: 2, learningRate: 1e-2)));
            StringAssert.Contains(refused.Message, "belongs to another training run");
            StringAssert.Contains(refused.Message, directory);

            Directory.Delete(directory, recursive: true);
            var diverged = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Shira().Train(train, Options(seed: 1, learningRate: 1e30)));
            StringAssert.Matches(diverged.Message, new System.Text.RegularExpressions.Regex(
                @"^The (training loss|gradient norm) became (NaN|-?∞|Infinity|-Infinity) at epoch \d, step (\d+) \(batch \d+ of \d+, training rows [\d, ]+\); nothing was updated from it; lower LearningRate\. The last checkpoint in '.*' is from before this step\.$"));
            int failedStep = int.Parse(System.Text.RegularExpressions.Regex.Match(diverged.Message, @"step (\d+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            Assert.IsGreaterThan(1, failedStep, "The first step of a 1e30 learning rate still has a finite loss.");
            using (var lastGood = TrainingCheckpoint.Load(directory))
            {
                Assert.AreEqual(failedStep - 1, lastGood!.Position.Step);
                Assert.IsTrue(lastGood.Parameters.All(p => p.isfinite().all().item<bool>()), "The last good checkpoint holds finite values.");
            }
            // The checkpoint is usable: the run resumes from it and meets the same divergence at the same step.
            var again = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Shira().Train(train, Options(seed: 1, learningRate: 1e30)));
            Assert.AreEqual(diverged.Message, again.Message);
        }
        finally
        {
            if (Directory.Exists(directory))
                Directory.Delete(directory, recursive: true);
        }
    }

    private static void AssertSameAdapter(SparseAdapter expected, SparseAdapter actual)
    {
        CollectionAssert.AreEqual(expected.Layers.Keys.ToArray(), actual.Layers.Keys.ToArray());
        foreach (var (path, layer) in expected.Layers)
        {
            CollectionAssert.AreEqual(layer.FlatIndices(), actual.Layers[path].FlatIndices(), $"{path}: positions");
            CollectionAssert.AreEqual(layer.Values.Select(BitConverter.SingleToInt32Bits).ToArray(),
                actual.Layers[path].Values.Select(BitConverter.SingleToInt32Bits).ToArray(), $"{path}: values bit for bit");
        }
        Assert.IsTrue(expected.Layers.Values.Any(l => l.Values.Any(v => v != 0)), "Training moved the values.");
    }
}
