using Microsoft.ML.Shira.Masks;
using Microsoft.ML.Shira.TextClassification;
using Microsoft.ML.Shira.TextGeneration;
using Microsoft.ML.Shira.Training;

namespace Microsoft.ML.Shira.Tests.MlNet;

/// <summary>Each method trains at its own default learning rate unless one is set (docs/evaluation.md, "Defaults").</summary>
[TestClass]
public sealed class LearningRateDefaultsTests
{
    [TestMethod]
    public void ClassificationDefaultsDependOnMethodAndMask()
    {
        var options = new ShiraTextClassificationOptions();
        Assert.IsNull(options.LearningRate);
        Assert.AreEqual(1e-2, options.EffectiveLearningRate);
        Assert.AreEqual(1e-2, options.DefaultLearningRate(FineTuningMethod.Shira, MaskType.Struct));
        Assert.AreEqual(1e-2, options.DefaultLearningRate(FineTuningMethod.Shira, MaskType.WeightMagnitude));
        Assert.AreEqual(1e-3, options.DefaultLearningRate(FineTuningMethod.Shira, MaskType.Gradient));
        Assert.AreEqual(1e-3, options.DefaultLearningRate(FineTuningMethod.Shira, MaskType.Snip));
        Assert.AreEqual(5e-3, options.DefaultLearningRate(FineTuningMethod.Lora, MaskType.Random));
        Assert.AreEqual(1e-4, options.DefaultLearningRate(FineTuningMethod.FullFineTuning, MaskType.Random));
        Assert.AreEqual(5e-3, new ShiraTextClassificationOptions { Method = FineTuningMethod.Lora }.EffectiveLearningRate);
        Assert.AreEqual(1e-3, new ShiraTextClassificationOptions { MaskType = MaskType.Snip }.EffectiveLearningRate);
        Assert.AreEqual(2e-3, new ShiraTextClassificationOptions { Method = FineTuningMethod.Lora, LearningRate = 2e-3 }.EffectiveLearningRate, "A set rate wins.");
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new MLContext(1).Shira().TextClassification(new ShiraTextClassificationOptions { LearningRate = -1 }));
        StringAssert.Contains(error.Message, "LearningRate");
    }

    [TestMethod]
    public void GenerationDefaultsDependOnMethod()
    {
        var options = new ShiraTextGenerationOptions();
        Assert.AreEqual(1e-2, options.EffectiveLearningRate);
        Assert.AreEqual(3e-3, options.DefaultLearningRate(FineTuningMethod.Lora, MaskType.Random));
        Assert.AreEqual(1e-3, options.DefaultLearningRate(FineTuningMethod.FullFineTuning, MaskType.Random));
    }

    [TestMethod]
    [DataRow(FineTuningMethod.Shira, 1e-2, 5e-3)]
    [DataRow(FineTuningMethod.Lora, 3e-3, 1e-2)]
    public void TrainingWithoutARateTrainsExactlyAsWithTheDefaultRate(FineTuningMethod method, double defaultRate, double otherRate)
    {
        float[] Train(double? learningRate)
        {
            var ml = new MLContext(seed: 1);
            using var model = ml.Shira().Train(ml.Data.LoadFromEnumerable(TextGenerationData.ShakespeareTrain(24)), new ShiraTextGenerationOptions
            {
                Method = method,
                Rank = 1,
                LearningRate = learningRate,
                Epochs = 1,
                BatchSize = 8,
                MaxSequenceLength = 32,
                NumberOfThreads = 1,
                Seed = 3,
            });
            return model.GetAdapter(model.Adapters[0]).Layers.Values.SelectMany(l => l.Values).ToArray();
        }

        var unset = Train(null);
        CollectionAssert.AreEqual(Train(defaultRate), unset, $"{method} without a rate trains at {defaultRate}.");
        CollectionAssert.AreNotEqual(Train(otherRate), unset);
    }
}
