namespace Microsoft.ML.Shira.TextGeneration.Inference;

/// <summary>
/// The lazy result of <see cref="ShiraTextGenerationTransformer.Transform"/>: the input columns passed through plus the
/// generated text, computed for a row when a cursor first reads that row's output.
/// </summary>
/// <remarks>
/// Generation is per prompt (each row runs its own decoding loop with its own key/value cache), so no look-ahead
/// cursor is needed: one input cursor carries the prompt column along with the columns asked for. Shuffling is
/// delegated to the input.
/// </remarks>
internal sealed class GenerationDataView : IDataView
{
    private readonly IDataView _input;
    private readonly GenerationContext _context;

    public GenerationDataView(IDataView input, GenerationContext context)
    {
        _input = input;
        _context = context;
    }

    public bool CanShuffle => _input.CanShuffle;

    public DataViewSchema Schema => _context.Outputs.Schema;

    public long? GetRowCount() => _input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        ArgumentNullException.ThrowIfNull(columnsNeeded);
        var needed = columnsNeeded.ToList();
        bool output = _context.NeedsOutput(needed);
        var inputColumns = needed.Where(c => !_context.Outputs.IsOutput(c.Index)).Select(c => _input.Schema[c.Index]).ToList();
        if (output)
            inputColumns.Add(_context.Prompt);
        var cursor = _input.GetRowCursor(inputColumns.DistinctBy(c => c.Index), rand);
        return new GenerationCursor(cursor, _context, output);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];
}
