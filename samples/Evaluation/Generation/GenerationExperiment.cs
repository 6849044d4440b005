using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.ML.Shira.Evaluation.Runs;
using Microsoft.ML.Shira.TextGeneration;

namespace Microsoft.ML.Shira.Evaluation.Generation;

/// <summary>
/// SHiRA vs LoRA on stories260K at the same trainable count (rank-r budget): per method and seed, one adapter trained on
/// TinyShakespeare and one on TinyStories, each measured alone on both held-out corpora, then both fused with α = 1
/// (<c>W = W₀ + S₁ + S₂</c>; for LoRA the sum of the merged updates) and measured again. <c>shira-nonoverlap</c> trains
/// the TinyStories adapter on positions the TinyShakespeare adapter does not use.
/// </summary>
internal sealed partial class GenerationExperiment
{
    private readonly GenerationSettings _settings;
    private readonly Corpus _shakespeare;
    private readonly Corpus _stories;

    public GenerationExperiment(GenerationSettings settings, Corpus shakespeare, Corpus stories)
    {
        _settings = settings;
        _shakespeare = shakespeare;
        _stories = stories;
    }

    public List<GenerationRow> Run()
    {
        var rows = new List<GenerationRow>();
        var log = new RunLog(_settings.Seeds.Count * _settings.Methods.Count * 2);
        foreach (int seed in _settings.Seeds)
        {
            foreach (string method in _settings.Methods)
            {
                log.Starting($"{method} on {_shakespeare.Title}, seed {seed}");
                var shakespeare = Train(method, seed, _shakespeare);
                log.Done(shakespeare.Describe());
                log.Starting($"{method} on {_stories.Title}, seed {seed}");
                // shira-nonoverlap: the TinyStories mask avoids every position of the TinyShakespeare adapter.
                var avoid = method == "shira-nonoverlap" ? shakespeare.Model.GetAdapter(_shakespeare.Name) : null;
                var stories = Train(method, seed, _stories, avoid);
                log.Done(stories.Describe());
                using (shakespeare.Model)
                using (stories.Model)
                {
                    var model = shakespeare.Model;
                    if (rows.Count == 0)
                    {
                        model.SwitchToBaseModel();
                        rows.Add(Measure("base", 0, "base", shakespeare, null));
                    }
                    model.SwitchTo(_shakespeare.Name);
                    rows.Add(Measure(method, seed, _shakespeare.Name, shakespeare, shakespeare));
                    model.AddAdapter(stories.Model.GetAdapter(_stories.Name));
                    model.SwitchTo(_stories.Name);
                    rows.Add(Measure(method, seed, _stories.Name, shakespeare, stories));
                    model.Fuse([(_shakespeare.Name, 1.0), (_stories.Name, 1.0)]);
                    rows.Add(Measure(method, seed, "fused", shakespeare, null));
                    foreach (var row in rows.Skip(rows.Count - 3))
                        RunLog.Note(string.Create(CultureInfo.InvariantCulture, $"{row.Method} {row.State}: perplexity {row.ShakespearePerplexity:F2} (Shakespeare), {row.TinyStoriesPerplexity:F3} (TinyStories)"));
                }
            }
        }
        return rows;
    }

    /// <summary>A trained generator with its trainable count, training time and kept validation perplexity.</summary>
    private sealed record Trained(MLContext Context, ShiraTextGenerationTransformer Model, long Trainable, double Seconds, double ValidationPerplexity)
    {
        public string Describe() => string.Create(CultureInfo.InvariantCulture, $"{Trainable:N0} trainable, validation perplexity {ValidationPerplexity:F3}, {Seconds:F0} s");
    }

    private Trained Train(string method, int seed, Corpus corpus, Adapters.SparseAdapter? avoid = null)
    {
        var ml = new MLContext(seed: seed);
        var messages = new List<string>();
        ml.Log += (_, e) =>
        {
            if (e.Source == "ShiraTextGeneration")
            {
                lock (messages)
                    messages.Add(e.RawMessage);
            }
        };
        var options = new ShiraTextGenerationOptions
        {
            Method = method == "lora" ? FineTuningMethod.Lora : FineTuningMethod.Shira,
            Rank = _settings.Rank,
            LearningRate = method == "lora" ? _settings.LoraLearningRate : _settings.ShiraLearningRate,
            Epochs = _settings.Epochs,
            BatchSize = 16,
            MaxSequenceLength = _settings.MaxSequenceLength,
            ValidationSet = ml.Data.LoadFromEnumerable(corpus.Validation),
            NumberOfThreads = _settings.Threads,
            Seed = seed,
            AdapterName = corpus.Name,
            NonOverlappingWith = avoid is null ? [] : [avoid],
        };
        var clock = Stopwatch.StartNew();
        var model = ml.Shira().Train(ml.Data.LoadFromEnumerable(corpus.Train), options);
        double seconds = clock.Elapsed.TotalSeconds;
        lock (messages)
            return new Trained(ml, model, (long)Parse(messages, SummaryPattern()), seconds, Parse(messages, KeptEpochPattern()));
    }

    /// <summary>Perplexity of <paramref name="host"/>'s active adapters on both test corpora; <paramref name="adapter"/> gives the training facts of single-adapter rows.</summary>
    private GenerationRow Measure(string method, int seed, string state, Trained host, Trained? adapter) =>
        new(method, seed, state,
            host.Model.Perplexity(host.Context.Data.LoadFromEnumerable(_shakespeare.Test)),
            host.Model.Perplexity(host.Context.Data.LoadFromEnumerable(_stories.Test)),
            adapter?.Trainable ?? 0, adapter?.Seconds ?? 0, adapter?.ValidationPerplexity ?? double.NaN);

    private static double Parse(IEnumerable<string> messages, Regex pattern)
    {
        foreach (string message in messages)
        {
            var match = pattern.Match(message);
            if (match.Success)
                return double.Parse(match.Groups[1].Value, NumberStyles.AllowThousands | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
        }
        throw new InvalidOperationException($"The trainer logged no line matching '{pattern}'.");
    }

    [GeneratedRegex(@"Fine-tuned with .*?: ([\d,]+) trainable model parameters")]
    private static partial Regex SummaryPattern();

    [GeneratedRegex(@"Keeping epoch \d+ \(validation perplexity ([\d.,]+)\)")]
    private static partial Regex KeptEpochPattern();
}
