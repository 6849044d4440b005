using Microsoft.Extensions.Logging;

namespace Microsoft.ML.Shira.Sweeps.Orleans;

/// <summary>
/// Runs a trial on the silo it is placed on. Training runs on a thread-pool thread, off the grain scheduler, so the
/// silo keeps answering membership probes while a trial trains for minutes.
/// </summary>
[SweepWorkerPlacement]
internal sealed class SweepTrialWorkerGrain(SweepWorkerRegistry registry, ILocalSiloDetails silo, ILogger<SweepTrialWorkerGrain> log) : Grain, ISweepTrialWorkerGrain
{
    public async Task<SweepTrialReply> RunAsync(SweepTrialRequest request, CancellationToken cancellationToken)
    {
        var work = registry.Get(request.Work);
        var parameters = request.Parameters.ToDictionary(
            p => p.Key,
            p => (work.Space.Find(p.Key) ?? throw new ArgumentException($"'{p.Key}' is not in the search space of work '{request.Work}' on this silo.")).Parse(p.Value));
        var trial = new SweepTrial(request.TrialId, parameters, request.Epochs, request.ContinuesTrial);
        string worker = silo.SiloAddress.ToString();
        log.LogInformation("Trial {Trial} of {Work} starting on {Silo}.", request.TrialId, request.Work, worker);
        var outcome = await Task.Run(() => work.RunAndSave(trial, registry.ResultsDirectory, worker, cancellationToken), CancellationToken.None);
        DeactivateOnIdle();
        return new SweepTrialReply
        {
            Status = outcome.Status,
            Metric = outcome.Metric,
            Error = outcome.Error,
            Duration = outcome.Duration,
            TrainableParameters = outcome.TrainableParameters,
            PeakMemoryMb = outcome.PeakMemoryMb,
            Worker = outcome.Worker,
            ModelPath = outcome.ModelPath,
        };
    }
}
