using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.ML.Shira.Adapters;
using Microsoft.ML.Shira.Decoding;
using Microsoft.ML.Shira.Tests.MlNet;
using Microsoft.ML.Shira.TextClassification;
using Microsoft.ML.Shira.TextGeneration;

namespace Microsoft.ML.Shira.Tests.Reliability.Concurrency;

/// <summary>
/// Sustained mixed load on the shared trained models: threads that generate and threads that classify, while writer
/// threads switch, fuse, select the base model, and add, select and remove adapters. Every output must be the output
/// of exactly one consistent adapter state (computed beforehand, one state at a time); a watchdog fails the test on a
/// deadlock. Writers hold each state until every reader has finished an operation that started under it.
/// </summary>
[TestClass]
public sealed class SustainedLoadTests
{
    private const string Trained = "default";
    private const string Halved = "halved";
    private const string Extra = "extra";
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(12);
    private static readonly TimeSpan Watchdog = TimeSpan.FromMinutes(1);
    private static readonly GenerationOptions Greedy = new() { MaxNewTokens = 24 };

    [TestMethod]
    public void ReadersSeeOneConsistentAdapterStateWhileWritersSwitchFuseAddAndRemove()
    {
        var generatorModel = TrainedShakespeareModel.Get();
        var classifierModel = TrainedSentimentModel.Get();
        lock (TrainedShakespeareModel.Lock)
        lock (TrainedSentimentModel.Lock)
        {
            var generator = generatorModel.Model;
            var classifier = classifierModel.Shira;
            generator.AddAdapter(Scaled(generator.GetAdapter(Trained), Halved, 0.5f));
            try
            {
                Run(generator, classifier, classifierModel);
            }
            finally
            {
                generator.SwitchTo(Trained);
                classifier.SwitchTo(Trained);
                generator.RemoveAdapter(Halved);
                generator.RemoveAdapter(Extra);
            }
        }
    }

    private static void Run(ShiraTextGenerationTransformer generator, ShiraTextClassificationTransformer classifier, TrainedSentimentModel classifierModel)
    {
        const string prompt = "ROMEO:\n";
        var generatorStates = new (string Name, Action Select)[]
        {
            ("trained", () => generator.SwitchTo(Trained)),
            ("halved", () => generator.SwitchTo(Halved)),
            ("fused 0.5·trained + 0.5·halved", () => generator.Fuse([(Trained, 0.5), (Halved, 0.5)])),
            ("base model", generator.SwitchToBaseModel),
        };
        var expectedTexts = new Dictionary<string, string>();
        foreach (var (name, select) in generatorStates)
        {
            select();
            expectedTexts.TryAdd(generator.Generate(prompt, Greedy).Text, name);
        }
        Assert.IsGreaterThanOrEqualTo(3, expectedTexts.Count, "The states generate distinguishable texts.");

        var rows = classifierModel.TestRowsData.Take(3).ToList();
        var classifierStates = new (string Name, Action Select)[]
        {
            ("trained", () => classifier.SwitchTo(Trained)),
            ("fused 0.5·trained", () => classifier.Fuse([(Trained, 0.5)])),
        };
        var expectedScores = new List<(string Name, float[][] Scores)>();
        foreach (var (name, select) in classifierStates)
        {
            select();
            using var engine = classifierModel.Context.Model.CreatePredictionEngine<SentimentRow, SentimentPrediction>(classifierModel.Model, EngineOptions.KeepModel);
            expectedScores.Add((name, rows.Select(r => engine.Predict(r).Score).ToArray()));
        }
        generator.SwitchTo(Trained);
        classifier.SwitchTo(Trained);

        var seen = new ConcurrentDictionary<string, int>();
        var errors = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();
        var generating = new ReaderRounds(3, Watchdog);
        var classifying = new ReaderRounds(2, Watchdog);

        var readers = Enumerable.Range(0, generating.Readers).Select(reader => Dedicated(() => Guard(generating, reader, () =>
        {
            while (!stop.IsCancellationRequested)
            {
                string text = generator.Generate(prompt, Greedy).Text;
                if (expectedTexts.TryGetValue(text, out var state))
                    seen.AddOrUpdate("generator: " + state, 1, (_, n) => n + 1);
                else
                    errors.Enqueue($"Generating reader {reader}: '{text}' is the output of no adapter state.");
                generating.Finished(reader);
            }
        }))).Concat(Enumerable.Range(0, classifying.Readers).Select(reader => Dedicated(() => Guard(classifying, reader, () =>
        {
            using var engine = classifierModel.Context.Model.CreatePredictionEngine<SentimentRow, SentimentPrediction>(classifierModel.Model, EngineOptions.KeepModel);
            while (!stop.IsCancellationRequested)
            {
                for (int i = 0; i < rows.Count; i++)
                {
                    var score = engine.Predict(rows[i]).Score;
                    var match = expectedScores.Where(e => e.Scores[i].SequenceEqual(score)).Select(e => e.Name).FirstOrDefault();
                    if (match is null)
                        errors.Enqueue($"Classifying reader {reader}, row {i}: [{string.Join(", ", score)}] is the output of no adapter state.");
                    else
                        seen.AddOrUpdate("classifier: " + match, 1, (_, n) => n + 1);
                }
                classifying.Finished(reader);
            }
        })))).ToArray();

        var clock = Stopwatch.StartNew();
        int changes = 0;
        var writers = new[]
        {
            // Cycles the generator through every state (at least once, however slow the machine).
            Dedicated(() =>
            {
                for (int s = 0; s < generatorStates.Length || clock.Elapsed < Duration; s++)
                {
                    generatorStates[s % generatorStates.Length].Select();
                    Interlocked.Increment(ref changes);
                    generating.WaitForEveryReader();
                }
            }),
            // Alternates the classifier between its adapter and a fusion of it.
            Dedicated(() =>
            {
                for (int s = 0; s < classifierStates.Length || clock.Elapsed < Duration; s++)
                {
                    classifierStates[s % classifierStates.Length].Select();
                    Interlocked.Increment(ref changes);
                    classifying.WaitForEveryReader();
                }
            }),
            // Adds a copy of the halved adapter under another name, selects it, selects the trained one, removes it.
            Dedicated(() =>
            {
                var trained = generator.GetAdapter(Trained);
                do
                {
                    generator.AddAdapter(Scaled(trained, Extra, 0.5f));
                    generator.SwitchTo(Extra);
                    generating.WaitForEveryReader();
                    generator.SwitchTo(Trained);
                    Assert.IsTrue(generator.RemoveAdapter(Extra), "The extra adapter is no longer in use and is removed.");
                    Interlocked.Add(ref changes, 4);
                }
                while (clock.Elapsed < Duration);
            }),
        };
        bool finished;
        try
        {
            finished = Task.WaitAll(writers, Watchdog + Duration);
        }
        finally
        {
            stop.Cancel();
        }
        Assert.IsTrue(finished, $"Watchdog: the writers did not finish within {(Watchdog + Duration).TotalSeconds:F0} s (deadlock?).");
        Assert.IsTrue(Task.WaitAll(readers, Watchdog), "Watchdog: the readers stop.");
        Assert.IsNull(generating.Failure ?? classifying.Failure);
        Assert.IsTrue(errors.IsEmpty, string.Join("\n", errors.Take(5)));
        foreach (var name in expectedTexts.Values)
            Assert.IsTrue(seen.ContainsKey("generator: " + name), $"Some generation ran under '{name}'.");
        foreach (var (name, _) in expectedScores)
            Assert.IsTrue(seen.ContainsKey("classifier: " + name), $"Some prediction ran under '{name}'.");
        Console.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: {changes} adapter changes, {generating.Total} generations and {classifying.Total * rows.Count} predictions, all consistent: "
            + string.Join("; ", seen.OrderBy(p => p.Key).Select(p => $"{p.Key} {p.Value}")));
    }

    /// <summary>A thread of its own: the thread pool would add threads for blocked work only slowly, starving the writers.</summary>
    private static Task Dedicated(Action work) => Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private static void Guard(ReaderRounds rounds, int reader, Action work)
    {
        try
        {
            work();
        }
        catch (Exception e)
        {
            rounds.Fail($"reader {reader}: {e}");
            throw;
        }
    }

    private static SparseAdapter Scaled(SparseAdapter adapter, string name, float factor) =>
        new(name, adapter.Layers.Values.Select(l => new SparseAdapterLayer(l.ModulePath, l.OutFeatures, l.InFeatures, l.Rows, l.Columns, l.Values.Select(v => v * factor).ToArray())), adapter.Metadata);
}
