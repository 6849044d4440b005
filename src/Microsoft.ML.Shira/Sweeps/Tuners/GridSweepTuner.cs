namespace Microsoft.ML.Shira.Sweeps;

/// <summary>Visits every combination of the grid values of the parameters (first parameter slowest), then stops.</summary>
public sealed class GridSweepTuner : ISweepTuner
{
    private readonly int _pointsPerRange;
    private List<Dictionary<string, object>> _grid = [];
    private int _next;

    /// <summary>A grid with <paramref name="pointsPerRange"/> points on each continuous or integer range.</summary>
    public GridSweepTuner(int pointsPerRange = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pointsPerRange, 1);
        _pointsPerRange = pointsPerRange;
    }

    /// <summary>How many trials the grid has (after <see cref="Start"/>).</summary>
    public int Size => _grid.Count;

    /// <inheritdoc/>
    public void Start(ShiraSearchSpace space, int seed)
    {
        ArgumentNullException.ThrowIfNull(space);
        IEnumerable<Dictionary<string, object>> grid = [[]];
        foreach (var parameter in space.Parameters)
        {
            var values = parameter.GridValues(_pointsPerRange);
            grid = grid.SelectMany(partial => values.Select(v => new Dictionary<string, object>(partial) { [parameter.Name] = v }));
        }
        _grid = grid.ToList();
        _next = 0;
    }

    /// <inheritdoc/>
    public SweepProposal? Propose(IReadOnlyList<SweepTrialResult> finished, IReadOnlyList<SweepTrial> running) =>
        _next < _grid.Count ? new SweepProposal(_grid[_next++]) : null;
}
