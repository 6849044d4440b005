namespace Microsoft.ML.Shira.Sweeps;

/// <summary>Draws every parameter independently from its prior; never runs out.</summary>
public sealed class RandomSweepTuner : ISweepTuner
{
    private ShiraSearchSpace _space = new();
    private Random _random = new(0);

    /// <inheritdoc/>
    public void Start(ShiraSearchSpace space, int seed)
    {
        ArgumentNullException.ThrowIfNull(space);
        _space = space;
        _random = new Random(seed);
    }

    /// <inheritdoc/>
    public SweepProposal? Propose(IReadOnlyList<SweepTrialResult> finished, IReadOnlyList<SweepTrial> running) =>
        new(Sample(_space, _random));

    internal static Dictionary<string, object> Sample(ShiraSearchSpace space, Random random) =>
        space.Parameters.ToDictionary(p => p.Name, p => p.Sample(random));
}
