using System.CommandLine;
using System.Diagnostics;
using Microsoft.ML.Shira.Evaluation.Runs;

namespace Microsoft.ML.Shira.Evaluation.Generation;

/// <summary>The <c>generation</c> command: SHiRA vs LoRA on stories260K (TinyShakespeare, TinyStories) and their fusion.</summary>
internal static class GenerationCommand
{
    public static System.CommandLine.Command Create(string[] args)
    {
        var methods = new Option<string[]>("--methods") { Description = "Methods: shira, shira-nonoverlap (the second adapter avoids the first one's positions), lora.", DefaultValueFactory = _ => ["shira", "shira-nonoverlap", "lora"], AllowMultipleArgumentsPerToken = true };
        var seeds = new Option<string[]>("--seeds") { Description = "Seeds, e.g. 1,2,3.", DefaultValueFactory = _ => ["1", "2", "3"], AllowMultipleArgumentsPerToken = true };
        var train = new Option<int>("--train-texts") { Description = "Training texts per corpus.", DefaultValueFactory = _ => 1000 };
        var validation = new Option<int>("--validation-texts") { Description = "Validation texts per corpus.", DefaultValueFactory = _ => 100 };
        var test = new Option<int>("--test-texts") { Description = "Held-out test texts per corpus.", DefaultValueFactory = _ => 300 };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the training texts.", DefaultValueFactory = _ => 2 };
        var rank = new Option<int>("--rank") { Description = "Budget: LoRA rank, and r·(in+out) SHiRA entries per matrix.", DefaultValueFactory = _ => 1 };
        var maxLength = new Option<int>("--max-length") { Description = "Training window in tokens.", DefaultValueFactory = _ => 128 };
        var shiraLr = new Option<double>("--shira-lr") { Description = "Learning rate of SHiRA (1e-2 had the best validation perplexity of 1e-3, 3e-3, 1e-2, 3e-2).", DefaultValueFactory = _ => 1e-2 };
        var loraLr = new Option<double>("--lora-lr") { Description = "Learning rate of LoRA (3e-3 had the best validation perplexity of 1e-3, 3e-3, 1e-2, 3e-2).", DefaultValueFactory = _ => 3e-3 };
        var threads = new Option<int>("--threads") { Description = "TorchSharp intra-op threads.", DefaultValueFactory = _ => 1 };
        var output = new Option<string?>("--output") { Description = "Output folder (default: docs/evaluation/generation in the repository)." };
        var data = new Option<string?>("--data") { Description = "Data folder (default: data in the repository)." };

        var command = new System.CommandLine.Command("generation", "SHiRA vs LoRA on stories260K at the same trainable count: TinyShakespeare and TinyStories adapters, alone and fused.")
        {
            methods, seeds, train, validation, test, epochs, rank, maxLength, shiraLr, loraLr, threads, output, data,
        };
        command.SetAction(parsed =>
        {
            string repository = RepositoryRoot.Find();
            var settings = new GenerationSettings
            {
                Methods = CommandLineLists.Split(parsed.GetValue(methods)!).Select(m => m.ToLowerInvariant()).ToArray(),
                Seeds = CommandLineLists.Split(parsed.GetValue(seeds)!).Select(int.Parse).ToArray(),
                TrainTexts = parsed.GetValue(train),
                ValidationTexts = parsed.GetValue(validation),
                TestTexts = parsed.GetValue(test),
                Epochs = parsed.GetValue(epochs),
                Rank = parsed.GetValue(rank),
                MaxSequenceLength = parsed.GetValue(maxLength),
                ShiraLearningRate = parsed.GetValue(shiraLr),
                LoraLearningRate = parsed.GetValue(loraLr),
                Threads = parsed.GetValue(threads),
                OutputDirectory = Path.GetFullPath(parsed.GetValue(output) ?? Path.Combine(repository, "docs", "evaluation", "generation")),
                DataDirectory = Path.GetFullPath(parsed.GetValue(data) ?? Path.Combine(repository, "data")),
                CommandLine = "dotnet run -c Release --project samples/Evaluation -- " + string.Join(" ", args),
            };
            if (settings.Methods.FirstOrDefault(m => m is not ("shira" or "shira-nonoverlap" or "lora")) is { } unknown)
                throw new ArgumentException($"Unknown method '{unknown}'; use shira, shira-nonoverlap and/or lora.");
            var clock = Stopwatch.StartNew();
            var shakespeare = GenerationCorpora.Shakespeare(settings.DataDirectory, settings);
            var stories = GenerationCorpora.TinyStories(settings.DataDirectory, settings);
            var rows = new GenerationExperiment(settings, shakespeare, stories).Run();
            new GenerationReport(settings, rows, shakespeare, stories, clock.Elapsed).Write();
            RunLog.Note($"Wrote {Path.Combine(settings.OutputDirectory, "results.md")} in {clock.Elapsed.TotalMinutes:F1} min.");
            return 0;
        });
        return command;
    }
}
