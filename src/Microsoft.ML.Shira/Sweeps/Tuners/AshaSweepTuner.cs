namespace Microsoft.ML.Shira.Sweeps;

/// <summary>
/// Asynchronous successive halving (Li et al., 2020) with epochs as the resource. Rung k trains for
/// <c>minEpochs·η^k</c> epochs (capped at maxEpochs). Whenever a worker is free, the best configuration of the highest
/// rung that is in its rung's top 1/η and not yet promoted is trained at the next rung; otherwise a new random
/// configuration starts at rung 0. Cheap configurations weed out bad learning rates before expensive ones run, and no
/// worker waits for a rung to fill, so it suits parallel runners too. A promoted configuration is retrained from the
/// pretrained model with more epochs (the schedule depends on the epoch count, so a warm start would not be the same run).
/// </summary>
public sealed class AshaSweepTuner : ISweepTuner
{
    private readonly int[] _rungEpochs;
    private readonly int _reductionFactor;
    private readonly HashSet<int> _promoted = [];
    private ShiraSearchSpace _space = new();
    private Random _random = new(0);

    /// <summary>Rungs from <paramref name="minEpochs"/> to <paramref name="maxEpochs"/>, each <paramref name="reductionFactor"/>× the last.</summary>
    public AshaSweepTuner(int minEpochs = 1, int maxEpochs = 4, int reductionFactor = 2)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minEpochs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEpochs, minEpochs);
        ArgumentOutOfRangeException.ThrowIfLessThan(reductionFactor, 2);
        _reductionFactor = reductionFactor;
        var rungs = new List<int>();
        for (long e = minEpochs; ; e *= reductionFactor)
        {
            rungs.Add((int)Math.Min(e, maxEpochs));
            if (e >= maxEpochs)
                break;
        }
        _rungEpochs = [.. rungs];
    }

    /// <summary>The epochs of each rung, lowest first.</summary>
    public IReadOnlyList<int> RungEpochs => _rungEpochs;

    /// <inheritdoc/>
    public void Start(ShiraSearchSpace space, int seed)
    {
        ArgumentNullException.ThrowIfNull(space);
        if (space.Find(SweepParameterNames.Epochs) is not null)
            throw new ArgumentException("Successive halving sets the epochs itself (they are its resource); remove 'Epochs' from the search space.", nameof(space));
        _space = space;
        _random = new Random(seed);
        _promoted.Clear();
    }

    /// <inheritdoc/>
    public SweepProposal? Propose(IReadOnlyList<SweepTrialResult> finished, IReadOnlyList<SweepTrial> running)
    {
        for (int rung = _rungEpochs.Length - 2; rung >= 0; rung--)
        {
            int epochs = _rungEpochs[rung];
            var inRung = finished.Where(r => (r.Trial.Epochs ?? 0) == epochs).ToList();
            int keep = inRung.Count / _reductionFactor;
            var candidate = inRung
                .Where(r => r.Objective is not null)
                .OrderByDescending(r => r.Objective!.Value).ThenBy(r => r.Id)
                .Take(keep)
                .FirstOrDefault(r => !_promoted.Contains(r.Id));
            if (candidate is not null)
            {
                _promoted.Add(candidate.Id);
                return new SweepProposal(candidate.Trial.Parameters, _rungEpochs[rung + 1], candidate.Id);
            }
        }
        return new SweepProposal(RandomSweepTuner.Sample(_space, _random), _rungEpochs[0]);
    }
}
