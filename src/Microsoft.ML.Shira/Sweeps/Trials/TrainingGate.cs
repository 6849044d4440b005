namespace Microsoft.ML.Shira.Sweeps;

/// <summary>
/// Lets one sweep trial train at a time in a process. TorchSharp 0.107's optimizers pass implicitly created Scalars to
/// libtorch after their last managed use, so a garbage collection caused by another training thread can free one
/// mid-call (docs/reliability.md); the library's own code no longer does this, TorchSharp's optimizers still do.
/// Training also draws dropout masks from TorchSharp's global random generator, which building another model's modules
/// draws from too, so a trial is only reproducible if nothing else builds models in the process while it trains.
/// Distributed sweeps run one silo per machine or GPU, so this only serializes silos that share a process (tests).
/// </summary>
internal static class TrainingGate
{
    private static readonly SemaphoreSlim Gate = new(1, 1);

    public static IDisposable Enter(CancellationToken cancellationToken)
    {
        Gate.Wait(cancellationToken);
        return new Release();
    }

    private sealed class Release : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
                Gate.Release();
        }
    }
}
