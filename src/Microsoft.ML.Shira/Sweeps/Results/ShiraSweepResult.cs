using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML.Shira.IO;
using Microsoft.ML.Shira.Tasks;

namespace Microsoft.ML.Shira.Sweeps;

/// <summary>
/// What a sweep found: every trial, the leaderboard, and the best trial's model carrying the best k adapters. Dispose
/// it to release the model (or take <see cref="BestModel"/> and dispose that yourself).
/// </summary>
public sealed class ShiraSweepResult : IDisposable
{
    private readonly ShiraSearchSpace _space;

    internal ShiraSweepResult(IReadOnlyList<SweepTrialResult> trials, SweepMetric metric, KeptBest? best, TimeSpan duration, bool cancelled, ShiraSearchSpace space)
    {
        _space = space;
        Trials = trials.OrderBy(t => t.Id).ToList();
        Metric = metric;
        Leaderboard = Trials
            .OrderBy(t => t.Objective is null ? 1 : 0)
            .ThenByDescending(t => t.Objective ?? double.NegativeInfinity)
            .ThenBy(t => t.Id)
            .ToList();
        BestTrial = best?.Result;
        BestModel = best?.Model;
        KeptAdapters = best?.Adapters ?? [];
        AdaptersNotKept = best?.Skipped ?? [];
        Duration = duration;
        Cancelled = cancelled;
    }

    /// <summary>Every finished trial, by id.</summary>
    public IReadOnlyList<SweepTrialResult> Trials { get; }

    /// <summary>Succeeded trials best first (ties: lower id first), then failed and cancelled ones.</summary>
    public IReadOnlyList<SweepTrialResult> Leaderboard { get; }

    /// <summary>The best succeeded trial, or null when none succeeded.</summary>
    public SweepTrialResult? BestTrial { get; }

    /// <summary>
    /// The best trial's model, its adapter active, with the other kept trials' adapters added (see
    /// <see cref="KeptAdapters"/>); null when no trial succeeded. Cast to the task's transformer type.
    /// </summary>
    public ShiraTransformer? BestModel { get; }

    /// <summary>Names of the adapters on <see cref="BestModel"/>, best first (<c>trial&lt;id&gt;</c>).</summary>
    public IReadOnlyList<string> KeptAdapters { get; }

    /// <summary>Kept trials whose adapters could not join the best model, and why.</summary>
    public IReadOnlyList<string> AdaptersNotKept { get; }

    /// <summary>The metric of every trial.</summary>
    public SweepMetric Metric { get; }

    /// <summary>Wall-clock time of the sweep.</summary>
    public TimeSpan Duration { get; }

    /// <summary>True when the caller's cancellation stopped the sweep before its budget was spent.</summary>
    public bool Cancelled { get; }

    /// <summary>Writes the leaderboard as CSV (atomically): rank, trial, status, metric, parameters, epochs, duration, trainable, memory, worker, error.</summary>
    public void SaveCsv(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var names = _space.Parameters.Select(p => p.Name).ToList();
        var csv = new StringBuilder();
        csv.AppendLine(string.Join(",", new[] { "Rank", "Trial", "Status", Metric.ToString() }.Concat(names)
            .Concat(["Epochs", "PromotedFrom", "DurationSeconds", "TrainableParameters", "PeakMemoryMb", "Attempts", "Worker", "Error"])));
        int rank = 0;
        foreach (var t in Leaderboard)
        {
            var o = t.Outcome;
            var cells = new List<string>
            {
                t.Objective is null ? "" : (++rank).ToString(CultureInfo.InvariantCulture),
                t.Id.ToString(CultureInfo.InvariantCulture),
                t.Status.ToString(),
                o.Metric?.ToString("R", CultureInfo.InvariantCulture) ?? "",
            };
            cells.AddRange(names.Select(n => t.Trial.Parameters.TryGetValue(n, out var v) ? _space.Find(n)!.Format(v) : ""));
            cells.Add(t.Trial.Epochs?.ToString(CultureInfo.InvariantCulture) ?? "");
            cells.Add(t.Trial.ContinuesTrial?.ToString(CultureInfo.InvariantCulture) ?? "");
            cells.Add(o.Duration.TotalSeconds.ToString("F3", CultureInfo.InvariantCulture));
            cells.Add(o.TrainableParameters?.ToString(CultureInfo.InvariantCulture) ?? "");
            cells.Add(o.PeakMemoryMb.ToString("F1", CultureInfo.InvariantCulture));
            cells.Add(t.Attempts.ToString(CultureInfo.InvariantCulture));
            cells.Add(o.Worker);
            cells.Add(o.Error ?? "");
            csv.AppendLine(string.Join(",", cells.Select(Quote)));
        }
        AtomicFile.WriteAllText(path, csv.ToString());
    }

    /// <summary>Writes the sweep (metric, duration, best trial, kept adapters, every trial) as JSON (atomically).</summary>
    public void SaveJson(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var trials = new JsonArray();
        foreach (var t in Leaderboard)
        {
            var parameters = new JsonObject();
            foreach (var (name, value) in t.Trial.Parameters)
                parameters[name] = value switch { double d => d, int i => i, _ => (JsonNode?)_space.Find(name)?.Format(value) ?? value.ToString() };
            trials.Add(new JsonObject
            {
                ["trial"] = t.Id,
                ["status"] = t.Status.ToString(),
                ["metric"] = t.Metric,
                ["parameters"] = parameters,
                ["epochs"] = t.Trial.Epochs,
                ["promotedFrom"] = t.Trial.ContinuesTrial,
                ["durationSeconds"] = t.Outcome.Duration.TotalSeconds,
                ["trainableParameters"] = t.Outcome.TrainableParameters,
                ["peakMemoryMb"] = t.Outcome.PeakMemoryMb,
                ["attempts"] = t.Attempts,
                ["worker"] = t.Outcome.Worker,
                ["error"] = t.Outcome.Error,
            });
        }
        var document = new JsonObject
        {
            ["metric"] = Metric.ToString(),
            ["maximized"] = Metric.IsMaximized(),
            ["durationSeconds"] = Duration.TotalSeconds,
            ["cancelled"] = Cancelled,
            ["bestTrial"] = BestTrial?.Id,
            ["keptAdapters"] = new JsonArray(KeptAdapters.Select(a => (JsonNode?)a).ToArray()),
            ["trials"] = trials,
        };
        AtomicFile.WriteAllText(path, document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>The leaderboard as a fixed-width table for the console.</summary>
    public string FormatLeaderboard(int top = int.MaxValue)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{"trial",5}  {"status",-9}  {Metric,10}  {"epochs",6}  {"seconds",8}  {"trainable",10}  parameters");
        foreach (var t in Leaderboard.Take(top))
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"{t.Id,5}  {t.Status,-9}  {(t.Metric is double m ? m.ToString("F4", CultureInfo.InvariantCulture) : "-"),10}  {t.Trial.Epochs?.ToString(CultureInfo.InvariantCulture) ?? "-",6}  {t.Outcome.Duration.TotalSeconds,8:F1}  {t.Outcome.TrainableParameters?.ToString("N0", CultureInfo.InvariantCulture) ?? "-",10}  {t.Trial.Describe(_space)}");
        }
        return text.ToString();
    }

    /// <summary>Disposes <see cref="BestModel"/>.</summary>
    public void Dispose() => BestModel?.Dispose();

    private static string Quote(string cell) =>
        cell.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : cell;
}
