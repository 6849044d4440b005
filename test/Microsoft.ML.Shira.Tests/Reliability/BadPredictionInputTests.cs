using Microsoft.ML.Shira.Decoding;
using Microsoft.ML.Shira.Tests.MlNet;

namespace Microsoft.ML.Shira.Tests.Reliability;

/// <summary>
/// Hostile text at prediction time — null, empty, whitespace only, far longer than the model's window, broken UTF-16
/// (lone surrogates, as decoding non-UTF-8 bytes can leave), control characters — and empty data views: each has a
/// defined result, never a crash.
/// </summary>
[TestClass]
public sealed class BadPredictionInputTests
{
    private static readonly string[] Hostile =
    [
        "",
        "   \t\n  ",
        "\uD800 lone high surrogate",
        "lone low surrogate \uDC00",
        "\uDC00\uD800 reversed pair",
        "nul\0inside and \u0001\u001F controls",
        "replacement \uFFFD\uFFFD characters",
        "emoji 😀👍🏽 and CJK 映画はとても良かった and RTL مرحبا",
        new string('x', 100_000),
        string.Concat(Enumerable.Repeat("a wonderful, moving film ", 4_000)),
    ];

    [TestMethod]
    public void TheClassifierScoresHostileTextWithValidProbabilities()
    {
        var model = TrainedSentimentModel.Get();
        lock (TrainedSentimentModel.Lock)
        {
            using var engine = model.Context.Model.CreatePredictionEngine<SentimentRow, SentimentPrediction>(model.Model, EngineOptions.KeepModel);
            foreach (string text in Hostile.Append(null!))
            {
                var prediction = engine.Predict(new SentimentRow { Sentence1 = text, Label = "positive" });
                string what = text is null ? "null" : $"'{Describe(text)}'";
                Assert.HasCount(2, prediction.Score, what);
                Assert.IsTrue(prediction.Score.All(float.IsFinite), $"{what}: finite scores");
                Assert.AreEqual(1.0, prediction.Score.Sum(), 1e-5, $"{what}: probabilities");
                Assert.IsTrue(prediction.PredictedLabel is 1 or 2, what);
            }

            // Defined results: null is ML.NET's empty text, whitespace tokenizes to nothing, and text longer than
            // MaxSequenceLength is truncated, so any two texts with the same first 48 tokens score the same.
            float[] Score(string text) => engine.Predict(new SentimentRow { Sentence1 = text, Label = "positive" }).Score;
            CollectionAssert.AreEqual(Score(""), Score(null!), "null = empty");
            CollectionAssert.AreEqual(Score(""), Score("   \t\n  "), "whitespace = empty");
            CollectionAssert.AreEqual(Score("\uFFFD lone high surrogate"), Score("\uD800 lone high surrogate"), "A lone surrogate reads as U+FFFD.");
            CollectionAssert.AreEqual(
                Score(string.Concat(Enumerable.Repeat("a wonderful, moving film ", 100))),
                Score(string.Concat(Enumerable.Repeat("a wonderful, moving film ", 4_000))),
                "Truncation at MaxSequenceLength: only the first 48 tokens count.");
        }
    }

    [TestMethod]
    public void TheClassifierTransformsAnEmptyDataViewToNoRows()
    {
        var model = TrainedSentimentModel.Get();
        var empty = model.Context.Data.LoadFromEnumerable(new List<SentimentRow>());
        var scored = model.Model.Transform(empty);
        Assert.IsNotNull(scored.Schema.GetColumnOrNull("Score"));
        Assert.IsEmpty(model.Context.Data.CreateEnumerable<SentimentPrediction>(scored, reuseRowObject: false).ToList());
    }

    [TestMethod]
    public void TheGeneratorContinuesHostilePromptsAndStopsAtTheModelsWindow()
    {
        var trained = TrainedShakespeareModel.Get();
        var greedy = new GenerationOptions { MaxNewTokens = 8 };
        lock (TrainedShakespeareModel.Lock)
        {
            foreach (string prompt in Hostile.Take(8))
            {
                var result = trained.Model.Generate(prompt, greedy);
                Assert.IsGreaterThan(0, result.GeneratedIds.Count, $"'{Describe(prompt)}' is continued.");
                Assert.IsTrue(result.StopReason is GenerationStopReason.MaxNewTokens or GenerationStopReason.StopToken, $"'{Describe(prompt)}': {result.StopReason}");
            }

            // A prompt that fills the 512 positions of stories260K leaves no room: nothing is generated, and the stop
            // reason says why (the prompt is not silently cut).
            var full = trained.Model.Generate(string.Concat(Enumerable.Repeat("Once upon a time there was a cat. ", 200)), greedy);
            Assert.AreEqual(GenerationStopReason.MaxLength, full.StopReason);
            Assert.IsEmpty(full.GeneratedIds);
            Assert.AreEqual("", full.Text);

            var ml = trained.Context;
            var rows = ml.Data.CreateEnumerable<GeneratedRow>(
                trained.Model.Transform(ml.Data.LoadFromEnumerable(Hostile.Take(4).Select(t => new TextRow { Text = t }).ToList())), reuseRowObject: false).ToList();
            Assert.HasCount(4, rows);
            Assert.IsEmpty(ml.Data.CreateEnumerable<GeneratedRow>(trained.Model.Transform(ml.Data.LoadFromEnumerable(new List<TextRow>())), reuseRowObject: false).ToList());
        }
    }

    private static string Describe(string text) => text.Length > 40 ? $"{text[..20]}… ({text.Length} chars)" : text;
}
