using Microsoft.ML.Data;
using Microsoft.ML.Shira.BaseModels;
using Microsoft.ML.Shira.Decoding;
using Microsoft.ML.Shira.Tests.Llama;
using Microsoft.ML.Shira.TextGeneration;

namespace Microsoft.ML.Shira.Tests.MlNet;

/// <summary>
/// mlContext.Shira().TextGeneration end to end on TinyShakespeare: perplexity before/after, the generated-text column,
/// PredictionEngine, base-model equivalence with no adapter active, and saving.
/// </summary>
[TestClass]
public sealed class TextGenerationPipelineTests
{
    private static TrainedShakespeareModel Trained => TrainedShakespeareModel.Get();

    [ClassInitialize]
    public static void TrainOnce(TestContext context) => _ = TrainedShakespeareModel.Get();

    [TestMethod]
    public void AdapterLowersHeldOutShakespearePerplexityClearly()
    {
        lock (TrainedShakespeareModel.Lock)
        {
            var model = Trained.Model;
            model.SwitchToBaseModel();
            double before = model.Perplexity(Trained.HeldOut);
            model.SwitchTo("default");
            double after = model.Perplexity(Trained.HeldOut);

            Console.WriteLine($"Held-out Shakespeare perplexity: base {before:F3}, SHiRA {after:F3}; trained in {Trained.TrainingTime.TotalSeconds:F1} s.");
            // Measured (seed 7, 300 speeches, 2 epochs, windows of 96 tokens): 175.3 before, 42.1 after (ratio 0.24).
            Assert.IsGreaterThan(100.0, before, "stories260K never saw Shakespeare.");
            Assert.IsLessThan(0.4 * before, after, "Training 1% of the projections on 300 speeches must cut the held-out perplexity by more than 60%.");
        }
    }

    [TestMethod]
    public void ProgressAndLogReportEpochsPerplexityAndThroughput()
    {
        var items = Trained.Progress.Items;
        var epochEnds = items.Where(p => p.IsEpochEnd).ToList();
        Assert.HasCount(2, epochEnds);
        Assert.AreEqual(items.Count(p => !p.IsEpochEnd), epochEnds[^1].Step, "One report per step.");
        Assert.AreEqual(epochEnds[^1].TotalSteps, epochEnds[^1].Step);
        Assert.IsTrue(epochEnds.All(p => p.ValidationPerplexity is > 1 and < 1000));
        Assert.IsTrue(items.All(p => p.TokensPerSecond > 0 && double.IsFinite(p.Loss)));
        Assert.AreEqual(TimeSpan.Zero, epochEnds[^1].EstimatedRemaining);
        Assert.IsLessThan(items[0].Loss, items[^1].Loss, "The training loss goes down.");

        List<string> log;
        lock (Trained.LogMessages)
            log = Trained.LogMessages.ToList();
        Assert.IsTrue(log.Any(m => m.StartsWith("Validation perplexity of the base model", StringComparison.Ordinal)), string.Join("\n", log));
        Assert.IsTrue(log.Any(m => m.Contains("SHiRA (Random, 1.00 %): 35 layers", StringComparison.Ordinal)), string.Join("\n", log));
        Assert.IsTrue(log.Any(m => m.StartsWith("Keeping epoch", StringComparison.Ordinal)));
    }

    [TestMethod]
    public void GeneratedTextColumnIsAddedAndInputsPassThrough()
    {
        lock (TrainedShakespeareModel.Lock)
        {
            var ml = Trained.Context;
            var prompts = new[] { new TextRow { Text = "ROMEO:\n" }, new TextRow { Text = "First Citizen:\nWe are" } };
            var output = Trained.Model.Transform(ml.Data.LoadFromEnumerable(prompts));

            var column = output.Schema["GeneratedText"];
            Assert.AreEqual(TextDataViewType.Instance, column.Type);
            Assert.AreEqual(TextDataViewType.Instance, output.Schema["Text"].Type);
            var rows = ml.Data.CreateEnumerable<GeneratedRow>(output, reuseRowObject: false).ToList();
            CollectionAssert.AreEqual(prompts.Select(p => p.Text).ToArray(), rows.Select(r => r.Text).ToArray());
            for (int i = 0; i < rows.Count; i++)
                Assert.AreEqual(Trained.Model.Generate(prompts[i].Text).Text, rows[i].GeneratedText, $"Row {i}: Transform generates with the transformer's options.");
            Assert.IsTrue(rows.All(r => r.GeneratedText.Length > 0));
        }
    }

    [TestMethod]
    public void EstimatorOutputSchemaHasTheGeneratedTextColumn()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(TextGenerationData.ShakespeareTrain(2));
        var shape = ml.Shira().TextGeneration(outputColumnName: "Continuation").GetOutputSchema(TextClassificationPipelineTests.ShapeOf(data.Schema));

        var generated = shape.Single(c => c.Name == "Continuation");
        Assert.AreEqual(SchemaShape.Column.VectorKind.Scalar, generated.Kind);
        Assert.AreEqual(TextDataViewType.Instance, generated.ItemType);
        Assert.IsTrue(shape.Any(c => c.Name == "Text"));
    }

    [TestMethod]
    public void PredictionEngineGenerates()
    {
        lock (TrainedShakespeareModel.Lock)
        {
            using var engine = Trained.Context.Model.CreatePredictionEngine<TextRow, GeneratedRow>(Trained.Model, EngineOptions.KeepModel);
            var romeo = engine.Predict(new TextRow { Text = "ROMEO:\n" });
            var citizen = engine.Predict(new TextRow { Text = "First Citizen:\nWe are" });

            Assert.AreEqual(Trained.Model.Generate("ROMEO:\n").Text, romeo.GeneratedText);
            Assert.AreEqual(Trained.Model.Generate("First Citizen:\nWe are").Text, citizen.GeneratedText);
            Assert.AreNotEqual(romeo.GeneratedText, citizen.GeneratedText);
        }
    }

    [TestMethod]
    public void GreedyGenerationWithoutAdapterReproducesTheBaseModel()
    {
        lock (TrainedShakespeareModel.Lock)
        {
            var reference = Stories260KData.ReferenceCases[0];
            var options = new GenerationOptions { MaxNewTokens = 60 };
            using var decoder = PretrainedDecoders.Stories260K();
            var expected = decoder.Generator.Generate(reference.Prompt, options);

            var model = Trained.Model;
            model.SwitchToBaseModel();
            try
            {
                Assert.IsEmpty(model.ActiveAdapters);
                var actual = model.Generate(reference.Prompt, options);
                CollectionAssert.AreEqual(expected.GeneratedIds.ToArray(), actual.GeneratedIds.ToArray());
                CollectionAssert.AreEqual(reference.SequenceIds[..(reference.PromptIds.Length + 60)], actual.SequenceIds.ToArray(), "llama2.c's greedy ids.");

                var previous = model.Generation;
                model.Generation = options;
                try
                {
                    var rows = Trained.Context.Data.CreateEnumerable<GeneratedRow>(
                        model.Transform(Trained.Context.Data.LoadFromEnumerable(new[] { new TextRow { Text = reference.Prompt } })), reuseRowObject: false);
                    Assert.AreEqual(expected.Text, rows.Single().GeneratedText);
                }
                finally
                {
                    model.Generation = previous;
                }
            }
            finally
            {
                model.SwitchTo("default");
            }
        }
    }

    [TestMethod]
    public void PlainModelSaveThrowsNamingShiraModelSave()
    {
        var ml = Trained.Context;
        using var stream = new MemoryStream();
        var error = Assert.ThrowsExactly<NotSupportedException>(() => ml.Model.Save(Trained.Model, Trained.HeldOut.Schema, stream));
        StringAssert.Contains(error.Message, "mlContext.Shira().Model.Save");
    }

    [TestMethod]
    public void TransformerExposesWhatASaveNeeds()
    {
        var model = Trained.Model;
        Assert.AreEqual("stories260K", model.BaseModelId);
        Assert.AreSame(ShiraDecoderBaseModel.Stories260K, model.BaseModel);
        Assert.AreEqual("Text", model.PromptColumnName);
        Assert.IsNull(model.ResponseColumnName);
        Assert.AreEqual(96, model.MaxSequenceLength);
        Assert.IsFalse(model.AppendsEndOfSequence);
        Assert.AreEqual(24, model.Generation.MaxNewTokens);
        var adapter = model.GetAdapter("default");
        Assert.AreEqual("CAUSAL_LM", adapter.Metadata.TaskType);
        Assert.AreEqual("stories260K", adapter.Metadata.BaseModelName);
        Assert.HasCount(35, adapter.Layers);
        Assert.IsTrue(adapter.Layers.Keys.All(k => k.StartsWith("model.layers.", StringComparison.Ordinal)));
    }
}
