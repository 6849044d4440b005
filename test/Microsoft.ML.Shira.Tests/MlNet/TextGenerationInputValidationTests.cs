using Microsoft.ML.Shira.Decoding;
using Microsoft.ML.Shira.TextGeneration;

namespace Microsoft.ML.Shira.Tests.MlNet;

/// <summary>
/// Bad input to text generation fails early with an exception naming the column, its type or the option; empty text is
/// skipped in training (with a warning) and generates unconditionally at inference; cancellation keeps nothing.
/// </summary>
[TestClass]
public sealed class TextGenerationInputValidationTests
{
    private sealed class NumericTextRow
    {
        public float Text { get; set; }
    }

    private static ShiraTextGenerationOptions Tiny(IProgress<ShiraTextGenerationProgress>? progress = null) => new()
    {
        Epochs = 1,
        BatchSize = 4,
        MaxSequenceLength = 48,
        NumberOfThreads = 1,
        Seed = 5,
        Progress = progress,
        Generation = new GenerationOptions { MaxNewTokens = 12 },
    };

    [TestMethod]
    public void MissingColumnIsNamed()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(TextGenerationData.ShakespeareTrain(4));
        var estimator = ml.Shira().TextGeneration(textColumnName: "Speech");

        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.Fit(data));
        StringAssert.Contains(error.Message, "'Speech'");
        StringAssert.Contains(error.Message, "'Text'", "The message lists the columns the data has.");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.GetOutputSchema(TextClassificationPipelineTests.ShapeOf(data.Schema)));

        var pairs = ml.Shira().TextGeneration(new ShiraTextGenerationOptions { PromptColumnName = "Prompt", ResponseColumnName = "Answer" });
        var pairError = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => pairs.Fit(ml.Data.LoadFromEnumerable(new[] { new PromptResponseRow() })));
        StringAssert.Contains(pairError.Message, "response column 'Answer'");
    }

    [TestMethod]
    public void ColumnOfAnotherTypeIsNamedWithItsType()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new NumericTextRow { Text = 1 } });

        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Shira().TextGeneration().Fit(data));
        StringAssert.Contains(error.Message, "'Text'");
        StringAssert.Contains(error.Message, "Single");
    }

    [TestMethod]
    public void TransformChecksThePromptColumn()
    {
        var trained = TrainedShakespeareModel.Get();
        var ml = trained.Context;
        var wrongType = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => trained.Model.Transform(ml.Data.LoadFromEnumerable(new[] { new NumericTextRow { Text = 2 } })));
        StringAssert.Contains(wrongType.Message, "'Text'");
        StringAssert.Contains(wrongType.Message, "Single");
        var missing = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => trained.Model.Transform(ml.Data.LoadFromEnumerable(new[] { new PromptResponseRow() })));
        StringAssert.Contains(missing.Message, "'Text'");
        StringAssert.Contains(missing.Message, "'Prompt'", "The message lists the columns the data has.");
    }

    [TestMethod]
    public void EmptyTrainingTextIsSkippedWithAWarningAndAllEmptyIsAnError()
    {
        var ml = new MLContext(seed: 1);
        var warnings = new List<string>();
        ml.Log += (_, e) =>
        {
            if (e.Source == "ShiraTextGeneration" && e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Warning)
                warnings.Add(e.RawMessage);
        };
        var rows = TextGenerationData.ShakespeareTrain(6);
        rows[1].Text = null!;
        rows[2].Text = "";
        rows[4].Text = " \n ";
        using (var model = ml.Shira().Train(ml.Data.LoadFromEnumerable(rows), Tiny()))
            Assert.IsNotNull(model);
        Assert.IsTrue(warnings.Any(w => w.Contains("Skipped 3 training row(s) whose text 'Text' is empty", StringComparison.Ordinal)), string.Join("\n", warnings));

        var empty = new[] { new TextRow { Text = "" }, new TextRow { Text = null! } };
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Shira().Train(ml.Data.LoadFromEnumerable(empty), Tiny()));
        StringAssert.Contains(error.Message, "2 row(s) read, 2 with an empty text 'Text'");
    }

    [TestMethod]
    public void EmptyOrNullPromptGeneratesFromBosAlone()
    {
        var trained = TrainedShakespeareModel.Get();
        lock (TrainedShakespeareModel.Lock)
        {
            var ml = trained.Context;
            var rows = ml.Data.CreateEnumerable<GeneratedRow>(
                trained.Model.Transform(ml.Data.LoadFromEnumerable(new[] { new TextRow { Text = "" }, new TextRow { Text = null! } })), reuseRowObject: false).ToList();
            string unconditional = trained.Model.Generate("").Text;
            Assert.IsGreaterThan(0, unconditional.Length);
            Assert.AreEqual(unconditional, rows[0].GeneratedText);
            Assert.AreEqual(unconditional, rows[1].GeneratedText, "A null string is an empty ML.NET text.");
        }
    }

    [TestMethod]
    public void OptionsAreCheckedWhenTheEstimatorIsCreated()
    {
        var ml = new MLContext(seed: 1);
        var shira = ml.Shira();
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => shira.TextGeneration(new ShiraTextGenerationOptions { BatchSize = 0 }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => shira.TextGeneration(new ShiraTextGenerationOptions { Sparsity = 0 }));
        Assert.ThrowsExactly<ArgumentException>(() => shira.TextGeneration(new ShiraTextGenerationOptions { TextColumnName = " " }));
        var response = Assert.ThrowsExactly<ArgumentException>(() => shira.TextGeneration(new ShiraTextGenerationOptions { ResponseColumnName = "Response" }));
        StringAssert.Contains(response.Message, "PromptColumnName");
        var generation = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => shira.TextGeneration(new ShiraTextGenerationOptions { Generation = new GenerationOptions { TopP = 2 } }));
        StringAssert.Contains(generation.Message, "TopP");
        var device = Assert.ThrowsExactly<ArgumentException>(() => shira.TextGeneration(new ShiraTextGenerationOptions { Device = "tpu" }));
        StringAssert.Contains(device.Message, "tpu");
    }

    [TestMethod]
    public void SequenceLongerThanTheModelsPositionsIsRejected()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(TextGenerationData.ShakespeareTrain(2));
        var options = Tiny();
        options.MaxSequenceLength = 1024;

        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Shira().Train(data, options));
        StringAssert.Contains(error.Message, "512 positions");
    }

    [TestMethod]
    public void CancellationMidTrainingThrowsAndKeepsNothing()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(TextGenerationData.ShakespeareTrain(40));
        using var cancellation = new CancellationTokenSource();
        var progress = new TestProgress<ShiraTextGenerationProgress>(p =>
        {
            if (p.Step == 2)
                cancellation.Cancel();
        });
        var options = Tiny(progress);
        options.Epochs = 3;
        options.CancellationToken = cancellation.Token;

        Assert.ThrowsExactly<OperationCanceledException>(() => ml.Shira().Train(data, options));
        Assert.AreEqual(2, progress.Items.Max(p => p.Step), "Training stops at the next step after cancellation.");
        Assert.HasCount(2, progress.Items);

        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        options.CancellationToken = cancelled.Token;
        Assert.ThrowsExactly<OperationCanceledException>(() => ml.Shira().Train(data, options), "Cancelled before starting.");
    }

    [TestMethod]
    public void GenerationCanBeCancelled()
    {
        var trained = TrainedShakespeareModel.Get();
        using var cancellation = new CancellationTokenSource();
        int pieces = 0;
        Assert.ThrowsExactly<OperationCanceledException>(() => trained.Model.Generate("ROMEO:\n", new GenerationOptions { MaxNewTokens = 200, StopAtEndOfSequence = false }, piece =>
        {
            if (++pieces == 3)
                cancellation.Cancel();
        }, cancellation.Token));
        Assert.AreEqual(3, pieces);
    }
}
