using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Shira.Masks;
using Microsoft.ML.Shira.Sweeps;

namespace Microsoft.ML.Shira.Samples.Sweep;

/// <summary>
/// Best-of-sweep SHiRA vs best-of-sweep LoRA vs SHiRA at the defaults, with the same trial budget for each method
/// (learning rate and mask searched for SHiRA, learning rate and rank for LoRA), on SST-2, TREC and the UCI domains.
/// Trials are scored on validation rows held out of the training data; the table reports the test accuracy of each
/// sweep's best model. Writes docs-ready Markdown to the console and a CSV per sweep under sweep-evaluation/.
/// </summary>
internal static class SweepEvaluation
{
    public static async Task RunAsync(string[] args)
    {
        int trials = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 8;
        int trainRows = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 800;
        var only = args.Skip(2).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var ml = new MLContext(seed: 1);
        var tasks = new List<Func<SweepTask>>
        {
            () => SweepTask.Load(ml, "SST-2", SampleData.Sst2("train", trainRows), SampleData.Sst2("dev", 200), SampleData.Sst2("test")),
            () => Split(ml, "TREC", SampleData.Trec("train"), SampleData.Trec("test"), trainRows),
            () => Split(ml, "UCI Yelp", SampleData.Uci("yelp").Train, SampleData.Uci("yelp").Test, trainRows),
            () => Split(ml, "UCI Amazon", SampleData.Uci("amazon_cells").Train, SampleData.Uci("amazon_cells").Test, trainRows),
            () => Split(ml, "UCI IMDb", SampleData.Uci("imdb").Train, SampleData.Uci("imdb").Test, trainRows),
        };
        string folder = Path.GetFullPath("sweep-evaluation");
        Directory.CreateDirectory(folder);
        var lines = new List<string>
        {
            $"| task | SHiRA defaults | best of {trials} SHiRA trials | best of {trials} LoRA trials | SHiRA sweep (min) | LoRA sweep (min) | best SHiRA trial | best LoRA trial |",
            "|---|---:|---:|---:|---:|---:|---|---|",
        };
        foreach (var load in tasks)
        {
            var task = load();
            if (only.Count > 0 && !only.Contains(task.Name.Replace(" ", "", StringComparison.Ordinal)))
                continue;
            Console.WriteLine($"{task.Name}: {task.TrainRows} training, {task.ValidationRows} validation, {task.TestRows} test rows.");
            var options = SweepTask.BaseOptions();
            var clock = Stopwatch.StartNew();
            double defaults;
            using (var model = ml.Shira().Train(task.Train, options))
                defaults = task.TestAccuracy(model);
            Console.WriteLine($"  defaults: test {defaults:P2} ({clock.Elapsed.TotalMinutes:F1} min)");

            var shiraSpace = new ShiraSearchSpace()
                .Add(new RangeParameter(SweepParameterNames.LearningRateMultiplier, 0.25, 4, logScale: true))
                .Add(new ChoiceParameter(SweepParameterNames.MaskType, MaskType.Random, MaskType.WeightMagnitude));
            var loraSpace = new ShiraSearchSpace()
                .Add(new ChoiceParameter(SweepParameterNames.Method, FineTuningMethod.Lora))
                .Add(new RangeParameter(SweepParameterNames.LearningRateMultiplier, 0.25, 4, logScale: true))
                // The trainable budget sets LoRA's rank per matrix (r = 1, 2 and 4 for MiniLM's 384×384 projections).
                .Add(new ChoiceParameter(SweepParameterNames.Sparsity, 0.005, 0.01, 0.02));
            var (shira, shiraMinutes, shiraBest) = await Sweep(ml, task, options, shiraSpace, trials, Path.Combine(folder, $"{Slug(task.Name)}-shira.csv"));
            var (lora, loraMinutes, loraBest) = await Sweep(ml, task, options, loraSpace, trials, Path.Combine(folder, $"{Slug(task.Name)}-lora.csv"));
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"| {task.Name} | {defaults:P1} | {shira:P1} | {lora:P1} | {shiraMinutes:F1} | {loraMinutes:F1} | {shiraBest} | {loraBest} |"));
            Console.WriteLine(lines[^1]);
        }
        Console.WriteLine();
        foreach (string line in lines)
            Console.WriteLine(line);
        File.WriteAllLines(Path.Combine(folder, "table.md"), lines);
    }

    private static async Task<(double TestAccuracy, double Minutes, string Best)> Sweep(
        MLContext ml, SweepTask task, TextClassification.ShiraTextClassificationOptions options, ShiraSearchSpace space, int trials, string csv)
    {
        using var result = await ml.Shira().CreateSweep(task.Train, options)
            .SetValidationData(task.Validation)
            .SetSearchSpace(space)
            .SetTuner(SweepTuners.Tpe(startupTrials: Math.Max(2, trials / 2)))
            .SetMaxTrials(trials)
            .SetSeed(1)
            .RunAsync();
        result.SaveCsv(csv);
        double test = task.TestAccuracy(result.BestModel!);
        string best = string.Join(", ", result.BestTrial!.Trial.Parameters
            .Where(p => p.Key != SweepParameterNames.Method)
            .Select(p => p.Value is double d ? $"{p.Key} {d.ToString("G3", CultureInfo.InvariantCulture)}" : $"{p.Key} {p.Value}"));
        Console.WriteLine($"  {(space.Find(SweepParameterNames.Method) is null ? "SHiRA" : "LoRA")} sweep: best validation {result.BestTrial.Metric:P2} ({best}), test {test:P2}, {result.Duration.TotalMinutes:F1} min");
        return (test, result.Duration.TotalMinutes, best);
    }

    /// <summary>Holds 200 validation rows out of the training rows (after the first <paramref name="trainRows"/>).</summary>
    private static SweepTask Split(MLContext ml, string name, List<LabeledText> train, List<LabeledText> test, int trainRows)
    {
        var shuffled = train.OrderBy(_ => 0).ToList();
        var random = new Random(7);
        random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(shuffled));
        int validation = Math.Min(200, shuffled.Count / 4);
        return SweepTask.Load(ml, name, shuffled.Skip(validation).Take(trainRows).ToList(), shuffled.Take(validation).ToList(), test);
    }

    private static string Slug(string name) => name.ToLowerInvariant().Replace(' ', '-');
}
