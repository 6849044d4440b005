using System.CommandLine;
using System.Diagnostics;
using Microsoft.ML.Shira.Tests;
using Microsoft.ML.Shira.Tests.Reliability.Fuzzing;

// A longer fuzz run than the test suite's (10,000 inputs per reader, seed 20261204): choose the seed, the count and the
// readers. Exit code 1 when any input broke a promise; each such input is written to --failures for reproduction.
var seed = new Option<int>("--seed") { Description = "Run seed: the same seed, count and target give the same inputs.", DefaultValueFactory = _ => Environment.TickCount };
var count = new Option<int>("--count") { Description = "Inputs per reader.", DefaultValueFactory = _ => 100_000 };
var targets = new Option<string[]>("--target") { Description = "Readers to fuzz (default: all). Names: " + string.Join(", ", FuzzTargets.AllNames), AllowMultipleArgumentsPerToken = true };
var failures = new Option<string>("--failures") { Description = "Folder for the inputs that broke a promise.", DefaultValueFactory = _ => Path.Combine(TestPaths.RepositoryRoot, "artifacts", "fuzz-failures") };
var writeInput = new Option<int?>("--write-input") { Description = "Only write input number N of each chosen reader (with --seed) to --failures, to reproduce a hang or crash." };
var root = new RootCommand("Mutation fuzzing of every Microsoft.ML.Shira file reader: only documented exceptions may escape, and allocation stays proportional to the input.")
{
    seed, count, targets, failures, writeInput,
};
root.SetAction(parsed =>
{
    int runSeed = parsed.GetValue(seed);
    int inputs = parsed.GetValue(count);
    var names = parsed.GetValue(targets) is { Length: > 0 } chosen ? chosen : FuzzTargets.AllNames;
    string failureFolder = parsed.GetValue(failures)!;
    if (parsed.GetValue(writeInput) is int number)
    {
        foreach (string name in names)
        {
            var target = FuzzTargets.Create(name);
            var file = target.Files[number % target.Files.Count];
            Directory.CreateDirectory(failureFolder);
            string path = Path.Combine(failureFolder, $"{name.Replace(' ', '-')}-seed{runSeed}-{number}-{file.Name}");
            File.WriteAllBytes(path, Mutator.Mutate(file.Seed, runSeed, number, file.IsText));
            Console.WriteLine($"wrote {path}");
        }
        return 0;
    }
    Console.WriteLine($"Seed {runSeed}, {inputs:N0} inputs per reader.");
    int broken = 0;
    foreach (string name in names)
    {
        var clock = Stopwatch.StartNew();
        var report = FuzzRunner.Run(FuzzTargets.Create(name), inputs, runSeed);
        Console.WriteLine($"{report} ({clock.Elapsed.TotalSeconds:F0} s)");
        foreach (var failure in report.Failures)
        {
            Directory.CreateDirectory(failureFolder);
            string file = Path.Combine(failureFolder, $"{name.Replace(' ', '-')}-seed{runSeed}-{failure.Number}-{failure.File}");
            File.WriteAllBytes(file, failure.Input);
            broken++;
        }
    }
    Console.WriteLine(broken == 0 ? "No broken promise." : $"{broken} input(s) broke a promise; written to {failureFolder}.");
    return broken == 0 ? 0 : 1;
});
return root.Parse(args).Invoke();
