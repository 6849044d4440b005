namespace Microsoft.ML.Shira.Sweeps.Orleans;

/// <summary>
/// A trial slot on a silo. The runner gives every attempt of every trial a fresh key, so that an attempt lost with
/// its silo is retried on a new activation, placed on a silo that is still up.
/// </summary>
public interface ISweepTrialWorkerGrain : IGrainWithIntegerKey
{
    /// <summary>Runs one trial of the registered work named in <paramref name="request"/> and saves its model.</summary>
    Task<SweepTrialReply> RunAsync(SweepTrialRequest request, CancellationToken cancellationToken);
}

/// <summary>A trial as it travels to a worker: its values as invariant text, read back with the work's search space.</summary>
[GenerateSerializer, Immutable]
public sealed class SweepTrialRequest
{
    /// <summary>The name the work was registered under on every silo.</summary>
    [Id(0)] public string Work { get; init; } = "";

    /// <summary>The trial's id.</summary>
    [Id(1)] public int TrialId { get; init; }

    /// <summary>Parameter values formatted by their <see cref="SweepParameter.Format"/>.</summary>
    [Id(2)] public Dictionary<string, string> Parameters { get; init; } = [];

    /// <summary>Epochs set by a cost-aware tuner, or null.</summary>
    [Id(3)] public int? Epochs { get; init; }

    /// <summary>The trial a cost-aware tuner promoted, or null.</summary>
    [Id(4)] public int? ContinuesTrial { get; init; }
}

/// <summary>A trial's outcome as it travels back.</summary>
[GenerateSerializer, Immutable]
public sealed class SweepTrialReply
{
    /// <summary>How the trial ended.</summary>
    [Id(0)] public SweepTrialStatus Status { get; init; }

    /// <summary>Validation metric of a succeeded trial.</summary>
    [Id(1)] public double? Metric { get; init; }

    /// <summary>Error of a failed trial.</summary>
    [Id(2)] public string? Error { get; init; }

    /// <summary>Training and scoring time.</summary>
    [Id(3)] public TimeSpan Duration { get; init; }

    /// <summary>Trainable parameter count.</summary>
    [Id(4)] public long? TrainableParameters { get; init; }

    /// <summary>Peak resident set size of the silo process during the trial, MB.</summary>
    [Id(5)] public double PeakMemoryMb { get; init; }

    /// <summary>The silo that ran it.</summary>
    [Id(6)] public string Worker { get; init; } = "";

    /// <summary>The saved model, in the silo's results folder.</summary>
    [Id(7)] public string? ModelPath { get; init; }
}
