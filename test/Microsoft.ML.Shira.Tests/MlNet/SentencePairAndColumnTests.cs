using Microsoft.ML.Data;
using Microsoft.ML.Shira.TextClassification;

namespace Microsoft.ML.Shira.Tests.MlNet;

/// <summary>
/// Sentence-pair classification through ML.NET (<c>Sentence2ColumnName</c>) with custom output column names: the second
/// column is read, the outputs carry the chosen names (and ML.NET's evaluator finds them), bad input columns are named,
/// and a saved model keeps both the pair input and the names. The task: does the second SST-2 sentence carry the same
/// sentiment as the first?
/// </summary>
[TestClass]
public sealed class SentencePairAndColumnTests
{
    private static MLContext _ml = null!;
    private static ShiraTextClassificationTransformer _model = null!;
    private static List<PairRow> _test = null!;

    public sealed class PairRow
    {
        public string First { get; set; } = "";

        public string Second { get; set; } = "";

        public bool Same { get; set; }
    }

    private sealed class PairPrediction
    {
        public bool SameSentiment { get; set; }

        public float Margin { get; set; }

        public float Chance { get; set; }
    }

    [ClassInitialize]
    public static void Train(TestContext context)
    {
        _ml = new MLContext(seed: 1);
        _test = Pairs(Sst2Data.ReadBinary("test", 120, skip: 600));
        _model = _ml.Shira().Train(_ml.Data.LoadFromEnumerable(Pairs(Sst2Data.ReadBinary("train", 240, skip: 2000))), new ShiraTextClassificationOptions
        {
            LabelColumnName = "Same",
            Sentence1ColumnName = "First",
            Sentence2ColumnName = "Second",
            PredictedLabelColumnName = "SameSentiment",
            ScoreColumnName = "Margin",
            ProbabilityColumnName = "Chance",
            Epochs = 1,
            MaxSequenceLength = 64,
            NumberOfThreads = 1,
            Seed = 5,
        });
    }

    [ClassCleanup]
    public static void Cleanup() => _model?.Dispose();

    [TestMethod]
    public void OutputsCarryTheChosenNamesAndTheEvaluatorFindsThem()
    {
        var scored = _model.Transform(_ml.Data.LoadFromEnumerable(_test));
        foreach (string name in new[] { "SameSentiment", "Margin", "Chance" })
            Assert.IsNotNull(scored.Schema.GetColumnOrNull(name), name);
        foreach (string name in new[] { "PredictedLabel", "Score", "Probability" })
            Assert.IsNull(scored.Schema.GetColumnOrNull(name), $"No default-named '{name}' column.");
        Assert.AreEqual(BooleanDataViewType.Instance, scored.Schema["SameSentiment"].Type);

        var metrics = _ml.BinaryClassification.EvaluateNonCalibrated(scored, labelColumnName: "Same", scoreColumnName: "Margin", predictedLabelColumnName: "SameSentiment");
        Console.WriteLine($"Same-sentiment pairs: accuracy {metrics.Accuracy:F3} on {_test.Count} held-out pairs (chance ≈ 0.5).");
        Assert.IsTrue(metrics.Accuracy is > 0 and <= 1);
    }

    [TestMethod]
    public void TheSecondSentenceIsRead()
    {
        using var engine = _ml.Model.CreatePredictionEngine<PairRow, PairPrediction>(_model, EngineOptions.KeepModel);
        var first = _test[0];
        float withItsPair = engine.Predict(first).Margin;
        int differing = _test.Skip(1).Take(10).Count(other => engine.Predict(new PairRow { First = first.First, Second = other.Second }).Margin != withItsPair);
        Assert.IsGreaterThan(0, differing, "Changing only the second sentence changes the score.");
        Assert.AreEqual(engine.Predict(new PairRow { First = first.First, Second = "" }).Margin, engine.Predict(new PairRow { First = first.First, Second = null! }).Margin,
            "A null second sentence is ML.NET's empty text.");
    }

    [TestMethod]
    public void AMissingOrMistypedSecondColumnIsNamed()
    {
        var missing = _ml.Data.LoadFromEnumerable(Sst2Data.ReadBinary("test", 2).Select(r => new { First = r.Sentence1 }));
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => _model.GetOutputSchema(missing.Schema));
        StringAssert.Contains(error.Message, "Second");
        var mistyped = _ml.Data.LoadFromEnumerable(new[] { new { First = "a", Second = 3f } });
        error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => _model.GetOutputSchema(mistyped.Schema));
        StringAssert.Contains(error.Message, "Second");
    }

    [TestMethod]
    public void ASavedPairModelKeepsItsColumnsAndScoresBitForBit()
    {
        var data = _ml.Data.LoadFromEnumerable(_test);
        string path = Path.Combine(TestPaths.NewTempDirectory(), "pairs.zip");
        try
        {
            _ml.Shira().Model.Save(_model, data.Schema, path);
            var loaded = (ShiraTextClassificationTransformer)_ml.Shira().Model.Load(path, out _);
            using (loaded)
            {
                Assert.AreEqual("Second", loaded.Sentence2ColumnName);
                Assert.AreEqual("Margin", loaded.ScoreColumnName);
                CollectionAssert.AreEqual(Margins(_model.Transform(data)), Margins(loaded.Transform(data)));
            }
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    private static float[] Margins(IDataView scored) => scored.GetColumn<float>("Margin").ToArray();

    /// <summary>Each sentence paired with the next one; the label says whether both have the same sentiment.</summary>
    private static List<PairRow> Pairs(List<BinarySentimentRow> rows) =>
        rows.Zip(rows.Skip(1)).Select(p => new PairRow { First = p.First.Sentence1, Second = p.Second.Sentence1, Same = p.First.Label == p.Second.Label }).ToList();
}
