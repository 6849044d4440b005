namespace Microsoft.ML.Shira.Sweeps;

/// <summary>
/// Where trials run. The default, <see cref="InProcessTrialRunner"/>, runs one at a time on the sweep's thread; the
/// Microsoft.ML.Shira.Sweeps.Orleans package runs them on a cluster of machines.
/// </summary>
public interface ISweepTrialRunner
{
    /// <summary>How many trials the sweep keeps running at once.</summary>
    int MaxConcurrentTrials { get; }

    /// <summary>Runs <paramref name="trial"/>; a failing trial is a failed outcome, not an exception.</summary>
    /// <param name="trial">The trial.</param>
    /// <param name="work">The experiment's trial work (a remote runner runs the same work registered on its workers).</param>
    /// <param name="cancellationToken">Stops the trial (the sweep's cancellation or time budget).</param>
    Task<SweepTrialRun> RunAsync(SweepTrial trial, SweepTrialWork work, CancellationToken cancellationToken);
}

/// <summary>Runs each trial synchronously on the thread that runs the sweep, one at a time.</summary>
public sealed class InProcessTrialRunner : ISweepTrialRunner
{
    /// <inheritdoc/>
    public int MaxConcurrentTrials => 1;

    /// <inheritdoc/>
    public Task<SweepTrialRun> RunAsync(SweepTrial trial, SweepTrialWork work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        return Task.FromResult(work.Run(trial, cancellationToken));
    }
}
