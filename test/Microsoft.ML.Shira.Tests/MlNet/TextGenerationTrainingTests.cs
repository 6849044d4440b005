using Microsoft.ML.Shira.Masks;
using Microsoft.ML.Shira.TextGeneration;

namespace Microsoft.ML.Shira.Tests.MlNet;

/// <summary>Training behaviour: early stopping on validation perplexity keeps the best epoch; calibrated masks.</summary>
[TestClass]
public sealed class TextGenerationTrainingTests
{
    [TestMethod]
    public void EarlyStoppingKeepsTheEpochWithTheLowestValidationPerplexity()
    {
        // Training on Shakespeare while validating on TinyStories (the base model's own domain): the validation perplexity
        // does not keep falling, so patience 1 stops well before the planned 8 epochs.
        var ml = new MLContext(seed: 1);
        var log = new List<string>();
        ml.Log += (_, e) =>
        {
            if (e.Source == "ShiraTextGeneration")
                log.Add(e.RawMessage);
        };
        var validation = ml.Data.LoadFromEnumerable(TextGenerationData.TinyStories(24));
        var progress = new TestProgress<ShiraTextGenerationProgress>();
        var options = new ShiraTextGenerationOptions
        {
            Epochs = 8,
            EarlyStoppingPatience = 1,
            LearningRate = 3e-2,
            BatchSize = 8,
            MaxSequenceLength = 64,
            NumberOfThreads = 1,
            Seed = 2,
            ValidationSet = validation,
            Progress = progress,
        };
        using var model = ml.Shira().Train(ml.Data.LoadFromEnumerable(TextGenerationData.ShakespeareTrain(48)), options);

        var epochs = progress.Items.Where(p => p.IsEpochEnd).ToList();
        var perplexities = epochs.Select(p => p.ValidationPerplexity!.Value).ToList();
        int best = perplexities.IndexOf(perplexities.Min()) + 1;
        Console.WriteLine(string.Join("\n", log));
        Assert.IsLessThan(8, epochs.Count, "Stopped early.");
        Assert.AreEqual(best + 1, epochs.Count, "Patience 1: stopped one epoch after the best.");
        Assert.IsTrue(log.Any(m => m.StartsWith($"Early stopping after epoch {epochs.Count}", StringComparison.Ordinal)), string.Join("\n", log));
        Assert.IsTrue(log.Any(m => m.StartsWith($"Keeping epoch {best} ", StringComparison.Ordinal)), string.Join("\n", log));
        Assert.AreEqual(perplexities[best - 1], model.Perplexity(validation), 1e-3, "The transformer holds the best epoch's values.");
    }

    [TestMethod]
    public void GradientMaskIsCalibratedOnTheLanguageModelLoss()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(TextGenerationData.ShakespeareTrain(32));
        var options = new ShiraTextGenerationOptions
        {
            MaskType = MaskType.Gradient,
            CalibrationBatches = 2,
            LearningRate = 5e-3,
            Epochs = 2,
            BatchSize = 8,
            MaxSequenceLength = 64,
            NumberOfThreads = 1,
            Seed = 4,
        };
        using var model = ml.Shira().Train(data, options);

        var adapter = model.GetAdapter("default");
        Assert.AreEqual(MaskType.Gradient, adapter.Metadata.MaskType);
        double adapted = model.Perplexity(data);
        model.SwitchToBaseModel();
        double baseline = model.Perplexity(data);
        Assert.IsLessThan(baseline, adapted, $"Training lowers the training-data perplexity ({baseline:F2} → {adapted:F2}).");
    }
}
