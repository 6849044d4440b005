using Microsoft.ML.Shira.Adapters.Fusion;
using Microsoft.ML.Shira.Evaluation.Data;
using Microsoft.ML.Shira.Evaluation.Runs;
using TorchSharp;

namespace Microsoft.ML.Shira.Evaluation.Fusion;

/// <summary>
/// Multi-adapter fusion (paper Table 4 protocol): adapters trained separately per task are added to one model, fused
/// with α = 1 each (<c>W = W₀ + Σ Sᵢ</c>; for LoRA the sum of the merged updates), and each task is scored with its
/// own head; the drop is against the same adapter alone.
/// </summary>
internal static class FusionExperiment
{
    public static (List<FusionRow> Fusion, List<OverlapRow> Overlap) Evaluate(string variant, IReadOnlyList<(TaskData Task, RunOutcome Outcome)> members, int seed)
    {
        var host = members[0].Outcome.Model ?? throw new InvalidOperationException("Fusion needs the trained models.");
        var shira = members[0].Outcome.Context.Shira();
        var added = new List<string>();
        var fusion = new List<FusionRow>();
        try
        {
            foreach (var (task, outcome) in members.Skip(1))
            {
                host.AddAdapter(outcome.Model!.GetAdapter(task.Name), outcome.Model.GetHead(task.Name));
                added.Add(task.Name);
            }
            foreach (var (task, outcome) in members)
            {
                var order = members.Select(m => (m.Task.Name, 1.0)).OrderBy(m => m.Name == task.Name ? 0 : 1).ToArray();
                using var fused = shira.FuseAdapters(host, order);
                var metrics = outcome.Context.MulticlassClassification.Evaluate(fused.Transform(outcome.Test!));
                fusion.Add(new FusionRow(variant, task.Name, seed, outcome.Result.Accuracy, metrics.MicroAccuracy));
            }
        }
        finally
        {
            foreach (string name in added)
                host.RemoveAdapter(name);
        }

        var overlap = new List<OverlapRow>();
        // One intra-op thread: on a busy machine the threaded SVD of AWOM stalls on thread barriers (minutes instead of seconds).
        int threads = torch.get_num_threads();
        torch.set_num_threads(1);
        try
        {
            AddOverlap(variant, members, seed, overlap);
        }
        finally
        {
            torch.set_num_threads(threads);
        }
        return (fusion, overlap);
    }

    private static void AddOverlap(string variant, IReadOnlyList<(TaskData Task, RunOutcome Outcome)> members, int seed, List<OverlapRow> overlap)
    {
        for (int i = 0; i < members.Count; i++)
        {
            for (int j = i + 1; j < members.Count; j++)
            {
                var a = members[i].Outcome.Model!.GetAdapter(members[i].Task.Name);
                var b = members[j].Outcome.Model!.GetAdapter(members[j].Task.Name);
                var layers = AdapterOverlap.Compare(a, b);
                long shared = layers.Sum(l => (long)l.SharedCount), countA = layers.Sum(l => (long)l.CountA), union = layers.Sum(l => (long)l.CountA + l.CountB - l.SharedCount);
                overlap.Add(new OverlapRow(variant, members[i].Task.Name, members[j].Task.Name, seed,
                    countA == 0 ? 0 : (double)shared / countA, union == 0 ? 0 : (double)shared / union,
                    layers.Average(l => l.Awom), layers.Average(l => l.Awor)));
            }
        }
    }
}
