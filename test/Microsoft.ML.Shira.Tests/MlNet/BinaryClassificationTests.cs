using Microsoft.ML.Data;
using Microsoft.ML.Shira.Masks;
using Microsoft.ML.Shira.TextClassification;

namespace Microsoft.ML.Shira.Tests.MlNet;

/// <summary>A Boolean label gives a binary classifier that ML.NET's binary evaluator accepts. Also exercises the Gradient mask.</summary>
[TestClass]
public sealed class BinaryClassificationTests
{
    /// <summary>Measured 0.797 (AUC 0.895) on these 300 test rows (seed 11); chance is 0.5.</summary>
    private const double MinimumAccuracy = 0.70;

    private static MLContext _ml = null!;
    private static ShiraTextClassificationTransformer _model = null!;
    private static IDataView _test = null!;

    [ClassInitialize]
    public static void Train(TestContext context)
    {
        _ml = new MLContext(seed: 2);
        var train = _ml.Data.LoadFromEnumerable(Sst2Data.ReadBinary("train", 256, skip: 1000));
        _test = _ml.Data.LoadFromEnumerable(Sst2Data.ReadBinary("test", 300));
        _model = _ml.Shira().Train(train, new ShiraTextClassificationOptions
        {
            MaskType = MaskType.Gradient,
            CalibrationBatches = 4,
            LearningRate = 1e-3,
            HeadLearningRate = 1e-2,
            Epochs = 2,
            MaxSequenceLength = 48,
            NumberOfThreads = 1,
            Seed = 11,
            AdapterName = "sst2-binary",
        });
    }

    [ClassCleanup]
    public static void Cleanup() => _model?.Dispose();

    [TestMethod]
    public void BinaryEvaluatorAcceptsTheOutputsAndAccuracyIsWellAboveChance()
    {
        var metrics = _ml.BinaryClassification.Evaluate(_model.Transform(_test));

        Console.WriteLine($"Binary SST-2 held-out accuracy {metrics.Accuracy:F4}, AUC {metrics.AreaUnderRocCurve:F4}, log-loss {metrics.LogLoss:F4}.");
        Assert.IsGreaterThanOrEqualTo(MinimumAccuracy, metrics.Accuracy);
        Assert.IsGreaterThan(0.75, metrics.AreaUnderRocCurve);
    }

    [TestMethod]
    public void BinaryOutputsAreBooleanLabelFloatScoreAndProbability()
    {
        var schema = _model.GetOutputSchema(_test.Schema);
        Assert.AreEqual(BooleanDataViewType.Instance, schema["PredictedLabel"].Type);
        Assert.AreEqual(NumberDataViewType.Single, schema["Score"].Type);
        Assert.AreEqual(NumberDataViewType.Single, schema["Probability"].Type);
        Assert.IsTrue(_model.GetHead("sst2-binary").IsBinary);
        Assert.AreEqual(MaskType.Gradient, _model.GetAdapter("sst2-binary").Metadata.MaskType);

        using var engine = _ml.Model.CreatePredictionEngine<BinarySentimentRow, BinarySentimentPrediction>(_model, EngineOptions.KeepModel);
        foreach (var row in Sst2Data.ReadBinary("test", 10))
        {
            var prediction = engine.Predict(row);
            Assert.AreEqual(1f / (1f + MathF.Exp(-prediction.Score)), prediction.Probability, 1e-6f);
            Assert.AreEqual(prediction.Score > 0, prediction.PredictedLabel);
        }
    }
}
