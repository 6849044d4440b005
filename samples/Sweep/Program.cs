// Sweep: tune SHiRA on SST-2 with a TPE sweep over the default search space, then compare the best model with the
// library's defaults on the test set. Runs on 2 CPU cores in a few minutes.
//   dotnet run -c Release --project samples/Sweep                 the sample
//   dotnet run -c Release --project samples/Sweep -- evaluate     best-of-sweep SHiRA vs LoRA vs defaults on five tasks (long)
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Shira;
using Microsoft.ML.Shira.Samples;
using Microsoft.ML.Shira.Samples.Sweep;
using Microsoft.ML.Shira.Sweeps;
using Microsoft.ML.Shira.TextClassification;

if (args.Length > 0 && args[0] == "evaluate")
{
    await SweepEvaluation.RunAsync(args.Skip(1).ToArray());
    return;
}

var ml = new MLContext(seed: 1);
var task = SweepTask.Load(ml, "SST-2", SampleData.Sst2("train", 600), SampleData.Sst2("dev", 200), SampleData.Sst2("test"));
Console.WriteLine($"SST-2: {task.TrainRows} training sentences, {task.ValidationRows} validation, {task.TestRows} test.");

var options = SweepTask.BaseOptions();
Console.WriteLine("Defaults (SHiRA, 1% random mask, default learning rate):");
double defaultAccuracy;
using (var defaults = ml.Shira().Train(task.Train, options))
    defaultAccuracy = task.TestAccuracy(defaults);
Console.WriteLine($"  test accuracy {defaultAccuracy:P2}");

Console.WriteLine($"Sweep: TPE over the default space ({ShiraSearchSpace.Default()}), 6 trials, best 3 adapters kept:");
using var result = await ml.Shira().CreateSweep(task.Train, options)
    .SetValidationData(task.Validation)
    .SetTuner(SweepTuners.Tpe(startupTrials: 3))
    .SetMaxTrials(6)
    .SetSeed(1)
    .KeepBestAdapters(3)
    .SetProgress(new ConsoleProgress())
    .RunAsync();

Console.WriteLine();
Console.WriteLine(result.FormatLeaderboard());
var best = (ShiraTextClassificationTransformer)result.BestModel!;
double bestAccuracy = task.TestAccuracy(best);
Console.WriteLine($"Best trial {result.BestTrial!.Id}: validation accuracy {result.BestTrial.Metric:P2}, test accuracy {bestAccuracy:P2} (defaults: {defaultAccuracy:P2}); sweep took {result.Duration.TotalMinutes:F1} min.");
Console.WriteLine($"Adapters on the best model: {string.Join(", ", result.KeptAdapters)}; switching between them:");
foreach (string adapter in result.KeptAdapters)
{
    best.SwitchTo(adapter);
    Console.WriteLine($"  {adapter}: test accuracy {task.TestAccuracy(best):P2}");
}

string folder = Path.GetFullPath("sweep-results");
result.SaveCsv(Path.Combine(folder, "leaderboard.csv"));
result.SaveJson(Path.Combine(folder, "sweep.json"));
result.SaveChart(Path.Combine(folder, "sweep.png"));
Console.WriteLine($"Leaderboard, JSON and chart written to {folder}.");

/// <summary>One line per trial as it starts and ends.</summary>
internal sealed class ConsoleProgress : IProgress<SweepProgress>
{
    public void Report(SweepProgress p)
    {
        if (p.Result is null)
            Console.WriteLine($"  trial {p.Trial.Id}/{p.MaxTrials} starting ({p.Elapsed:mm\\:ss}): {string.Join("; ", p.Trial.Parameters.Select(kv => $"{kv.Key}={kv.Value}"))}");
        else
            Console.WriteLine($"  trial {p.Trial.Id} {p.Result.Status}: " + (p.Result.Metric is double m ? $"validation accuracy {m:P2}" : p.Result.Outcome.Error) + $" in {p.Result.Outcome.Duration.TotalSeconds:F0} s");
    }
}
