using System.CommandLine;
using Microsoft.ML.Shira.Evaluation;
using Microsoft.ML.Shira.Evaluation.Data;
using Microsoft.ML.Shira.Evaluation.Generation;
using Microsoft.ML.Shira.Evaluation.Methods;

// SHiRA vs head-only, full fine-tuning and LoRA on SST-2, TREC and the UCI sentiment domains, plus multi-adapter
// fusion. Small by default (about 15 minutes on 2 cores); --full uses all data. The `generation` command compares SHiRA
// and LoRA on stories260K (TinyShakespeare, TinyStories) and fuses the two adapters.
var tasks = new Option<string[]>("--tasks") { Description = $"Tasks: {string.Join(", ", TaskCatalog.All)}.", DefaultValueFactory = _ => ["sst2", "trec", "yelp"], AllowMultipleArgumentsPerToken = true };
var methods = new Option<string[]>("--methods") { Description = $"Methods: {string.Join(", ", MethodCatalog.AllIds)}.", DefaultValueFactory = _ => MethodCatalog.AllIds, AllowMultipleArgumentsPerToken = true };
var seeds = new Option<string[]>("--seeds") { Description = "Seeds, e.g. 1,2,3 (mean ± spread is reported when more than one).", DefaultValueFactory = _ => ["1"], AllowMultipleArgumentsPerToken = true };
var trainRows = new Option<int>("--train-rows") { Description = "Training rows per task (a fixed subsample).", DefaultValueFactory = _ => 1000 };
var testRows = new Option<int>("--test-rows") { Description = "Test rows per task (a fixed subsample).", DefaultValueFactory = _ => 500 };
var full = new Option<bool>("--full") { Description = "Use every training and test row (overrides --train-rows and --test-rows)." };
var epochs = new Option<int>("--epochs") { Description = "Passes over the training rows.", DefaultValueFactory = _ => 1 };
var maxLength = new Option<int>("--max-length") { Description = "Longest input in tokens.", DefaultValueFactory = _ => 48 };
var batchSize = new Option<int>("--batch-size") { Description = "Rows per optimizer step.", DefaultValueFactory = _ => 16 };
var sparsity = new Option<double>("--sparsity") { Description = "SHiRA budget (LoRA's rank is matched to it).", DefaultValueFactory = _ => 0.01 };
var secondSparsity = new Option<double>("--second-sparsity") { Description = "Budget of the extra run of the best SHiRA mask; 0 skips it.", DefaultValueFactory = _ => 0.02 };
var noFusion = new Option<bool>("--no-fusion") { Description = "Skip the multi-adapter fusion experiment." };
var fusionMask = new Option<string>("--fusion-mask") { Description = "SHiRA mask of the fusion experiment (struct, random, wm, grad, snip).", DefaultValueFactory = _ => "random" };
var threads = new Option<int>("--threads") { Description = "TorchSharp intra-op threads (0 = TorchSharp default). 1 by default: on a shared machine, threaded kernels stall on thread barriers; use 2 or more on an idle one.", DefaultValueFactory = _ => 1 };
var shiraLr = new Option<double>("--shira-lr") { Description = "Learning rate of SHiRA with struct/random/wm masks (5e-3, as in the first evaluation runs; the library default is now 1e-2).", DefaultValueFactory = _ => 5e-3 };
var calibratedLr = new Option<double>("--shira-calibrated-lr") { Description = "Learning rate of SHiRA with grad/snip masks.", DefaultValueFactory = _ => 1e-3 };
var loraLr = new Option<double>("--lora-lr") { Description = "Learning rate of the LoRA factors (2e-3, as in the first evaluation runs; the library default is now 5e-3).", DefaultValueFactory = _ => 2e-3 };
var fullLr = new Option<double>("--full-lr") { Description = "Learning rate of full fine-tuning.", DefaultValueFactory = _ => 1e-4 };
var headLr = new Option<double>("--head-lr") { Description = "Learning rate of the classifier head (every method).", DefaultValueFactory = _ => 2e-2 };
var output = new Option<string?>("--output") { Description = "Output folder (default: docs/evaluation in the repository)." };
var reportOnly = new Option<bool>("--report-only") { Description = "Only rewrite results.md and the charts from the CSV files already in the output folder (same task flags as the run)." };
var data = new Option<string?>("--data") { Description = "Data folder (default: data in the repository)." };

if (Console.IsOutputRedirected)
    Spectre.Console.AnsiConsole.Profile.Width = 200;

var root = new RootCommand("Measures SHiRA against head-only, full fine-tuning and LoRA with Microsoft.ML.Shira, and multi-adapter fusion.")
{
    tasks, methods, seeds, trainRows, testRows, full, epochs, maxLength, batchSize, sparsity, secondSparsity, noFusion, fusionMask, threads,
    shiraLr, calibratedLr, loraLr, fullLr, headLr, output, data, reportOnly,
};
root.SetAction(parsed =>
{
    string repository = RepositoryRoot.Find();
    bool all = parsed.GetValue(full);
    var settings = new EvaluationSettings
    {
        Tasks = CommandLineLists.Split(parsed.GetValue(tasks)!),
        Methods = CommandLineLists.Split(parsed.GetValue(methods)!),
        Seeds = CommandLineLists.Split(parsed.GetValue(seeds)!).Select(int.Parse).ToArray(),
        TrainRows = all ? null : parsed.GetValue(trainRows),
        TestRows = all ? null : parsed.GetValue(testRows),
        Epochs = parsed.GetValue(epochs),
        MaxSequenceLength = parsed.GetValue(maxLength),
        BatchSize = parsed.GetValue(batchSize),
        Sparsity = parsed.GetValue(sparsity),
        SecondSparsity = parsed.GetValue(secondSparsity),
        Fusion = !parsed.GetValue(noFusion),
        FusionMask = parsed.GetValue(fusionMask)!,
        Threads = parsed.GetValue(threads),
        ShiraLearningRate = parsed.GetValue(shiraLr),
        CalibratedShiraLearningRate = parsed.GetValue(calibratedLr),
        LoraLearningRate = parsed.GetValue(loraLr),
        FullLearningRate = parsed.GetValue(fullLr),
        HeadLearningRate = parsed.GetValue(headLr),
        OutputDirectory = Path.GetFullPath(parsed.GetValue(output) ?? Path.Combine(repository, "docs", "evaluation")),
        DataDirectory = Path.GetFullPath(parsed.GetValue(data) ?? Path.Combine(repository, "data")),
        CommandLine = "dotnet run -c Release --project samples/Evaluation" + (args.Length == 0 ? "" : " -- " + string.Join(" ", args)),
    };
    var runner = new EvaluationRunner(settings);
    return parsed.GetValue(reportOnly) ? runner.ReportOnly() : runner.Run();
});
root.Subcommands.Add(GenerationCommand.Create(args));
return root.Parse(args).Invoke();
