namespace Microsoft.ML.Shira.Sweeps;

/// <summary>What running a trial gave, as plain data (it travels back from remote workers).</summary>
public sealed record SweepTrialOutcome
{
    /// <summary>How the trial ended.</summary>
    public SweepTrialStatus Status { get; init; }

    /// <summary>The validation metric; null unless <see cref="Status"/> is <see cref="SweepTrialStatus.Succeeded"/>.</summary>
    public double? Metric { get; init; }

    /// <summary>The error's type and message for a failed trial.</summary>
    public string? Error { get; init; }

    /// <summary>Training and scoring time.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>Parameters the method trained (not counting a classifier's head); null if training did not start.</summary>
    public long? TrainableParameters { get; init; }

    /// <summary>Largest resident set size of the worker process seen during the trial, in MB (sampled every 100 ms).</summary>
    public double PeakMemoryMb { get; init; }

    /// <summary>Where it ran: the machine, or the Orleans silo.</summary>
    public string Worker { get; init; } = "";

    /// <summary>For a trial run remotely: the model file its worker saved; else null.</summary>
    public string? ModelPath { get; init; }
}
