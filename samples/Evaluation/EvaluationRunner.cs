using Microsoft.ML.Shira.Adapters;
using Microsoft.ML.Shira.Evaluation.Data;
using Microsoft.ML.Shira.Evaluation.Fusion;
using Microsoft.ML.Shira.Evaluation.Methods;
using Microsoft.ML.Shira.Evaluation.Reporting;
using Microsoft.ML.Shira.Evaluation.Runs;

namespace Microsoft.ML.Shira.Evaluation;

/// <summary>
/// Runs the comparison: every method on every task and seed at the base budget, then the best SHiRA mask at the second
/// budget, and per seed the fusion experiment (SHiRA, SHiRA with non-overlapping masks, LoRA); then writes the report.
/// </summary>
internal sealed class EvaluationRunner
{
    private readonly EvaluationSettings _settings;
    private readonly MethodCatalog _catalog;
    private readonly List<RunResult> _results = new();
    private readonly List<FusionRow> _fusion = new();
    private readonly List<OverlapRow> _overlap = new();

    public EvaluationRunner(EvaluationSettings settings)
    {
        _settings = settings;
        _catalog = new MethodCatalog(settings.ShiraLearningRate, settings.CalibratedShiraLearningRate, settings.LoraLearningRate, settings.FullLearningRate);
    }

    public int Run()
    {
        var tasks = _settings.Tasks.Select(t => TaskCatalog.Load(_settings.DataDirectory, t, _settings.TrainRows, _settings.TestRows)).ToList();
        foreach (var task in tasks)
            RunLog.Note($"{task.Title}: {task.Train.Count} of {task.AvailableTrain} training rows, {task.Test.Count} of {task.AvailableTest} test rows, {task.ClassCount} classes.");
        var methods = _settings.Methods.Select(id => _catalog.Create(id, _settings.Sparsity)).ToList();
        var fusionTasks = FusionTasks(tasks);
        var fusionShira = _catalog.Shira(MaskNames.Parse(_settings.FusionMask), _settings.Sparsity);
        var lora = _catalog.Create("lora", _settings.Sparsity);
        bool fusion = _settings.Fusion && fusionTasks.Count >= 2;
        if (_settings.Fusion && !fusion)
            RunLog.Note("Fusion skipped: it needs at least two of sst2, trec and a UCI domain among the tasks.");
        bool secondBudget = _settings.SecondSparsity > 0 && methods.Any(m => m.IsShira);

        int perSeed = tasks.Count * methods.Count + (secondBudget ? tasks.Count : 0);
        if (fusion)
        {
            perSeed += fusionTasks.Count - 1;
            perSeed += methods.Any(m => m.Id == fusionShira.Id) ? 0 : fusionTasks.Count;
            perSeed += methods.Any(m => m.Id == lora.Id) ? 0 : fusionTasks.Count;
        }
        var log = new RunLog(perSeed * _settings.Seeds.Count);

        foreach (int seed in _settings.Seeds)
        {
            var kept = new Dictionary<(string Method, string Task), RunOutcome>();
            try
            {
                foreach (var task in tasks)
                {
                    foreach (var method in methods)
                    {
                        bool keep = fusion && fusionTasks.Contains(task) && (method.Id == fusionShira.Id || method.Id == lora.Id);
                        var outcome = Execute(log, task, method, seed, keep);
                        if (keep)
                            kept[(method.Id, task.Name)] = outcome;
                    }
                }
                if (fusion)
                    RunFusion(log, fusionTasks, fusionShira, lora, seed, kept);
            }
            finally
            {
                foreach (var outcome in kept.Values)
                    outcome.Model?.Dispose();
            }
        }

        if (secondBudget)
        {
            var best = BestShiraMask(methods);
            var wider = best.AtSparsity(_settings.SecondSparsity);
            RunLog.Note($"Best SHiRA mask at {_settings.Sparsity * 100:0.#}%: {best.Display}; running it at {_settings.SecondSparsity * 100:0.#}%.");
            foreach (int seed in _settings.Seeds)
            {
                foreach (var task in tasks)
                    Execute(log, task, wider, seed, keep: false);
            }
        }

        var report = new EvaluationReport(_settings, tasks, _results, _fusion, _overlap, log.Elapsed);
        report.Write();
        RunLog.Note($"Done in {log.Elapsed.TotalMinutes:F1} min; results in {_settings.OutputDirectory}.");
        return 0;
    }

    /// <summary>Rewrites results.md and the charts from the CSV files of a previous run in the output folder.</summary>
    public int ReportOnly()
    {
        var tasks = _settings.Tasks.Select(t => TaskCatalog.Load(_settings.DataDirectory, t, _settings.TrainRows, _settings.TestRows)).ToList();
        string dir = _settings.OutputDirectory;
        var (command, elapsed) = CsvReader.Recorded(Path.Combine(dir, "results.md"));
        var runs = CsvReader.Runs(Path.Combine(dir, "runs.csv"));
        new EvaluationReport(_settings, tasks, runs, CsvReader.Fusion(Path.Combine(dir, "fusion.csv")), CsvReader.Overlap(Path.Combine(dir, "overlap.csv")),
            elapsed ?? TimeSpan.Zero, command).Write();
        RunLog.Note($"Report rewritten from {runs.Count} runs in {dir}.");
        return 0;
    }

    private RunOutcome Execute(RunLog log, TaskData task, MethodSpec method, int seed, bool keep,
        IReadOnlyList<SparseAdapter>? nonOverlappingWith = null, string? note = null)
    {
        log.Starting($"{task.Title} · {method.Display}{(note is null ? "" : " · " + note)} · seed {seed}");
        var outcome = SingleRun.Execute(_settings, task, method, seed, keep, nonOverlappingWith, note);
        _results.Add(outcome.Result);
        log.Finished(outcome.Result);
        return outcome;
    }

    private void RunFusion(RunLog log, List<TaskData> fusionTasks, MethodSpec shira, MethodSpec lora, int seed, Dictionary<(string Method, string Task), RunOutcome> kept)
    {
        foreach (var method in new[] { shira, lora })
        {
            foreach (var task in fusionTasks.Where(t => !kept.ContainsKey((method.Id, t.Name))))
                kept[(method.Id, task.Name)] = Execute(log, task, method, seed, keep: true, note: "for fusion");
        }

        // Non-overlapping SHiRA: the first task's adapter as trained; each later task's mask avoids every earlier adapter.
        var disjoint = shira with { Id = shira.Id + "-disjoint" };
        var previous = new List<SparseAdapter> { kept[(shira.Id, fusionTasks[0].Name)].Model!.GetAdapter(fusionTasks[0].Name) };
        kept[(disjoint.Id, fusionTasks[0].Name)] = kept[(shira.Id, fusionTasks[0].Name)];
        foreach (var task in fusionTasks.Skip(1))
        {
            var outcome = Execute(log, task, disjoint, seed, keep: true, nonOverlappingWith: previous.ToList(), note: "non-overlapping mask");
            kept[(disjoint.Id, task.Name)] = outcome;
            previous.Add(outcome.Model!.GetAdapter(task.Name));
        }

        foreach (var (variant, id) in new[] { ($"SHiRA-{MaskNames.Short(shira.Mask)}", shira.Id), ($"SHiRA-{MaskNames.Short(shira.Mask)} non-overlapping", disjoint.Id), ("LoRA", lora.Id) })
        {
            RunLog.Note($"Fusing {variant} adapters of {string.Join(" + ", fusionTasks.Select(t => t.Title))} (seed {seed}) …");
            var members = fusionTasks.Select(t => (t, kept[(id, t.Name)])).ToList();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var (fusion, overlap) = FusionExperiment.Evaluate(variant, members, seed);
            RunLog.Note($"  fused, scored and compared in {clock.Elapsed.TotalSeconds:F0} s");
            _fusion.AddRange(fusion);
            _overlap.AddRange(overlap);
            foreach (var row in fusion)
                RunLog.Note($"  {row.Task}: single {row.SingleAccuracy:F4} → fused {row.FusedAccuracy:F4} (drop {row.Drop * 100:+0.0;-0.0} pts)");
        }
        // The first task's model is shared by the SHiRA and non-overlapping variants: dispose it once.
        kept.Remove((disjoint.Id, fusionTasks[0].Name));
    }

    private static List<TaskData> FusionTasks(List<TaskData> tasks)
    {
        var chosen = tasks.Where(t => t.Name is "sst2" or "trec").ToList();
        var uci = tasks.FirstOrDefault(t => t.IsUci);
        if (uci is not null)
            chosen.Add(uci);
        return chosen;
    }

    private MethodSpec BestShiraMask(List<MethodSpec> methods) =>
        methods.Where(m => m.IsShira)
            .OrderByDescending(m => _results.Where(r => r.MethodId == m.Id && r.Note.Length == 0).Average(r => r.Accuracy))
            .First();
}
