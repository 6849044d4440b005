namespace Microsoft.ML.Shira.Sweeps;

/// <summary>A finished trial: what was tried and how it did. One row of a sweep's leaderboard.</summary>
public sealed class SweepTrialResult
{
    internal SweepTrialResult(SweepTrial trial, SweepTrialOutcome outcome, SweepMetric metric, int attempts)
    {
        Trial = trial;
        Outcome = outcome;
        MetricKind = metric;
        Attempts = attempts;
    }

    /// <summary>The trial: id, parameter values, epochs.</summary>
    public SweepTrial Trial { get; }

    /// <summary>Status, metric, duration, trainable count, peak memory, worker.</summary>
    public SweepTrialOutcome Outcome { get; }

    /// <summary>The metric <see cref="Outcome"/> reports.</summary>
    public SweepMetric MetricKind { get; }

    /// <summary>How many times the trial was started (more than 1 when a worker was lost mid-trial).</summary>
    public int Attempts { get; }

    /// <summary>Shortcut for <see cref="Trial"/>'s id.</summary>
    public int Id => Trial.Id;

    /// <summary>Shortcut for <see cref="Outcome"/>'s status.</summary>
    public SweepTrialStatus Status => Outcome.Status;

    /// <summary>Shortcut for <see cref="Outcome"/>'s metric.</summary>
    public double? Metric => Outcome.Metric;

    /// <summary>The metric oriented so that larger is better (−metric for losses); null unless succeeded.</summary>
    public double? Objective => Outcome.Metric is double m && double.IsFinite(m) ? (MetricKind.IsMaximized() ? m : -m) : null;

    /// <inheritdoc/>
    public override string ToString() =>
        $"trial {Id}: {Status}" + (Metric is double m ? $", {MetricKind} {m:G5}" : "") + (Outcome.Error is { } e ? $" ({e})" : "");
}
