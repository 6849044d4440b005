namespace Microsoft.ML.Shira.TextClassification.Inference;

/// <summary>
/// The lazy result of <see cref="ShiraTextClassificationTransformer.Transform"/>: the input columns passed through plus
/// the classifier outputs, computed in batches when a cursor reaches them.
/// </summary>
/// <remarks>
/// Each cursor that needs an output runs a second, look-ahead cursor over the input's text columns: it reads the next
/// batch of texts, scores them in one forward pass, and the main cursor (which carries every other input column) then
/// serves the rows one by one, checking that both cursors are on the same row id. Shuffling is not offered
/// (<see cref="CanShuffle"/> is false) so both cursors see the input in the same order.
/// </remarks>
internal sealed class ClassificationDataView : IDataView
{
    private readonly IDataView _input;
    private readonly ScoringContext _context;

    public ClassificationDataView(IDataView input, ScoringContext context)
    {
        _input = input;
        _context = context;
    }

    public bool CanShuffle => false;

    public DataViewSchema Schema => _context.Outputs.Schema;

    public long? GetRowCount() => _input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        ArgumentNullException.ThrowIfNull(columnsNeeded);
        var needed = columnsNeeded.ToList();
        bool[] outputs = _context.ActiveOutputs(needed);
        var inputColumns = needed.Where(c => !_context.Outputs.IsOutput(c.Index)).Select(c => _input.Schema[c.Index]);
        var main = _input.GetRowCursor(inputColumns);
        try
        {
            var lookahead = outputs.Any(o => o) ? _input.GetRowCursor(_context.TextColumns) : null;
            return new ClassificationCursor(main, lookahead, _context, outputs);
        }
        catch
        {
            main.Dispose();
            throw;
        }
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];
}
