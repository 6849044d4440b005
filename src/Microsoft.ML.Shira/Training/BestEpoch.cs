using TorchSharp.Modules;

namespace Microsoft.ML.Shira.Training;

/// <summary>
/// Early stopping state of the training loop: the best validation score, a copy of the trained parameters at that
/// epoch, and the number of epochs since then.
/// </summary>
internal sealed class BestEpoch : IDisposable
{
    private ParameterSnapshot? _snapshot;

    /// <summary>The kept epoch (0 before any).</summary>
    public int Epoch { get; private set; }

    /// <summary>The kept epoch's validation score, or null before any.</summary>
    public IValidationScore? Score { get; private set; }

    /// <summary>Epochs since the kept one.</summary>
    public int StaleEpochs { get; private set; }

    /// <summary>
    /// Keeps a copy of <paramref name="parameters"/> when <paramref name="score"/> beats the kept one and returns true;
    /// otherwise counts a stale epoch and returns false.
    /// </summary>
    public bool Offer(int epoch, IValidationScore score, IEnumerable<Parameter> parameters)
    {
        if (!score.IsBetterThan(Score))
        {
            StaleEpochs++;
            return false;
        }
        _snapshot?.Dispose();
        _snapshot = ParameterSnapshot.Capture(parameters);
        Epoch = epoch;
        Score = score;
        StaleEpochs = 0;
        return true;
    }

    /// <summary>The kept values, in the parameters' order (empty before any epoch was kept).</summary>
    public IReadOnlyList<Tensor> Values => _snapshot?.Values ?? [];

    /// <summary>Takes up the state of a checkpoint: the kept epoch, its score and values, and the stale epochs since.</summary>
    public void Resume(int epoch, IValidationScore? score, int staleEpochs, IReadOnlyList<Parameter> parameters, IReadOnlyList<Tensor> values)
    {
        _snapshot?.Dispose();
        _snapshot = score is null ? null : ParameterSnapshot.FromValues(parameters, values);
        Epoch = score is null ? 0 : epoch;
        Score = score;
        StaleEpochs = staleEpochs;
    }

    /// <summary>True when <paramref name="patience"/> stale epochs (0 = never) are used up.</summary>
    public bool PatienceUsedUp(int patience) => patience > 0 && StaleEpochs >= patience;

    /// <summary>Writes the kept values back into the parameters; false when no epoch was kept.</summary>
    public bool Restore()
    {
        _snapshot?.Restore();
        return _snapshot is not null;
    }

    public void Dispose() => _snapshot?.Dispose();
}
