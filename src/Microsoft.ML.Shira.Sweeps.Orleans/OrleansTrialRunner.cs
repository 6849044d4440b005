using System.Globalization;

namespace Microsoft.ML.Shira.Sweeps.Orleans;

/// <summary>
/// Runs sweep trials on an Orleans cluster: each trial goes to a <see cref="ISweepTrialWorkerGrain"/> on some silo,
/// which runs the work registered there under the same name (see <see cref="ShiraSweepSiloExtensions.AddShiraSweepWorker"/>)
/// and saves the trial's model where the coordinator can load it. A trial whose silo is lost mid-trial (the call fails
/// with a <see cref="SiloUnavailableException"/> or another Orleans transport error) is started again on a new slot,
/// up to <see cref="MaxAttempts"/> times; its leaderboard row shows how many attempts it took.
/// </summary>
/// <param name="grains">The cluster client's (or a silo's) grain factory.</param>
/// <param name="workName">The name the work is registered under on the silos.</param>
/// <param name="maxConcurrentTrials">Trials in flight at once; typically the number of silos (one per machine or GPU).</param>
public sealed class OrleansTrialRunner(IGrainFactory grains, string workName, int maxConcurrentTrials) : ISweepTrialRunner
{
    private long _nextSlot;

    /// <inheritdoc/>
    public int MaxConcurrentTrials { get; } = maxConcurrentTrials >= 1 ? maxConcurrentTrials : throw new ArgumentOutOfRangeException(nameof(maxConcurrentTrials));

    /// <summary>Attempts per trial before it is recorded as failed (default 3).</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <inheritdoc/>
    public async Task<SweepTrialRun> RunAsync(SweepTrial trial, SweepTrialWork work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(trial);
        ArgumentNullException.ThrowIfNull(work);
        var request = new SweepTrialRequest
        {
            Work = workName,
            TrialId = trial.Id,
            Parameters = trial.Parameters.ToDictionary(p => p.Key, p => work.Space.Find(p.Key)?.Format(p.Value) ?? Convert.ToString(p.Value, CultureInfo.InvariantCulture)!),
            Epochs = trial.Epochs,
            ContinuesTrial = trial.ContinuesTrial,
        };
        var errors = new List<string>();
        for (int attempt = 1; ; attempt++)
        {
            var grain = grains.GetGrain<ISweepTrialWorkerGrain>(Interlocked.Increment(ref _nextSlot));
            try
            {
                var reply = await grain.RunAsync(request, cancellationToken).ConfigureAwait(false);
                return new SweepTrialRun(ToOutcome(reply), null, attempt);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return new SweepTrialRun(new SweepTrialOutcome { Status = SweepTrialStatus.Cancelled, Error = "Cancelled." }, null, attempt);
            }
            catch (Exception e) when (IsWorkerLost(e))
            {
                errors.Add($"attempt {attempt}: {e.GetType().Name}: {e.Message}");
                if (attempt >= MaxAttempts)
                    return new SweepTrialRun(new SweepTrialOutcome { Status = SweepTrialStatus.Failed, Error = "Every attempt lost its worker: " + string.Join("; ", errors) }, null, attempt);
            }
            catch (Exception e)
            {
                return new SweepTrialRun(new SweepTrialOutcome { Status = SweepTrialStatus.Failed, Error = $"{e.GetType().Name}: {e.Message}" }, null, attempt);
            }
        }
    }

    /// <summary>Errors that mean the worker went away (retry elsewhere), as opposed to the trial failing.</summary>
    private static bool IsWorkerLost(Exception e) =>
        e is SiloUnavailableException or OrleansMessageRejectionException or TimeoutException or global::Orleans.Runtime.Messaging.ConnectionFailedException
            or global::Orleans.Runtime.GatewayTooBusyException
        || e is OrleansException && e.InnerException is { } inner && IsWorkerLost(inner);

    private static SweepTrialOutcome ToOutcome(SweepTrialReply reply) => new()
    {
        Status = reply.Status,
        Metric = reply.Metric,
        Error = reply.Error,
        Duration = reply.Duration,
        TrainableParameters = reply.TrainableParameters,
        PeakMemoryMb = reply.PeakMemoryMb,
        Worker = reply.Worker,
        ModelPath = reply.ModelPath,
    };
}
