namespace Microsoft.ML.Shira.Sweeps;

/// <summary>
/// Proposes the trials of a sweep. <see cref="Start"/> begins a sweep (a tuner may be reused: it forgets the last
/// one); <see cref="Propose"/> is then asked whenever a worker is free. With the same seed, space and results a tuner
/// proposes the same trials.
/// </summary>
public interface ISweepTuner
{
    /// <summary>Begins a sweep over <paramref name="space"/>.</summary>
    /// <exception cref="ArgumentException">The tuner cannot search this space (e.g. a cost-aware tuner and an Epochs parameter).</exception>
    void Start(ShiraSearchSpace space, int seed);

    /// <summary>
    /// The next trial's values, or null when none should start now. The sweep ends when a tuner returns null while no
    /// trial is running (a grid is exhausted; a cost-aware tuner waits for a rung to fill).
    /// </summary>
    /// <param name="finished">Every finished trial so far, in the order they finished.</param>
    /// <param name="running">The trials running now.</param>
    SweepProposal? Propose(IReadOnlyList<SweepTrialResult> finished, IReadOnlyList<SweepTrial> running);
}

/// <summary>A tuner's proposal: parameter values and, for cost-aware tuners, the epochs (resource) and the trial it promotes.</summary>
/// <param name="Parameters">A value for every parameter of the space.</param>
/// <param name="Epochs">Epochs to train, or null for the space's or base options' value.</param>
/// <param name="Promotes">The trial whose configuration this one trains longer, or null.</param>
public sealed record SweepProposal(IReadOnlyDictionary<string, object> Parameters, int? Epochs = null, int? Promotes = null);

/// <summary>The tuners that come with the library.</summary>
public static class SweepTuners
{
    /// <summary>Independent draws from every parameter's prior.</summary>
    public static ISweepTuner Random() => new RandomSweepTuner();

    /// <summary>Every combination of the choices and of <paramref name="pointsPerRange"/> points of each range, in order.</summary>
    public static ISweepTuner Grid(int pointsPerRange = 3) => new GridSweepTuner(pointsPerRange);

    /// <summary>
    /// Asynchronous successive halving (ASHA): new configurations train <paramref name="minEpochs"/> epochs; the best
    /// 1/<paramref name="reductionFactor"/> of each rung is trained again with <paramref name="reductionFactor"/>× the
    /// epochs, up to <paramref name="maxEpochs"/>.
    /// </summary>
    public static ISweepTuner SuccessiveHalving(int minEpochs = 1, int maxEpochs = 4, int reductionFactor = 2) =>
        new AshaSweepTuner(minEpochs, maxEpochs, reductionFactor);

    /// <summary>Tree-structured Parzen estimator (Bergstra et al., 2011) after <paramref name="startupTrials"/> random trials.</summary>
    public static ISweepTuner Tpe(int startupTrials = 4, int candidates = 24, double goodFraction = 0.25) =>
        new TpeSweepTuner(startupTrials, candidates, goodFraction);
}
