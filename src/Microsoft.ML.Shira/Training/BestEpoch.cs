using TorchSharp.Modules;

namespace Microsoft.ML.Shira.Training;

/// <summary>
/// Early stopping state of a training loop: a copy of the trained parameters at the best validated epoch, and the
/// number of epochs since then.
/// </summary>
internal sealed class BestEpoch : IDisposable
{
    private TrainingSnapshot? _snapshot;

    /// <summary>The kept epoch (0 before any).</summary>
    public int Epoch { get; private set; }

    /// <summary>Epochs since the kept one.</summary>
    public int StaleEpochs { get; private set; }

    /// <summary>Keeps a copy of <paramref name="parameters"/> as the best epoch's.</summary>
    public void Keep(int epoch, IEnumerable<Parameter> parameters)
    {
        _snapshot?.Dispose();
        _snapshot = TrainingSnapshot.Capture(parameters);
        Epoch = epoch;
        StaleEpochs = 0;
    }

    /// <summary>Counts an epoch without improvement; true when <paramref name="patience"/> (0 = never) is used up.</summary>
    public bool ShouldStop(int patience) => ++StaleEpochs >= patience && patience > 0;

    /// <summary>Writes the kept values back into the parameters; false when no epoch was kept.</summary>
    public bool Restore()
    {
        _snapshot?.Restore();
        return _snapshot is not null;
    }

    public void Dispose() => _snapshot?.Dispose();
}
