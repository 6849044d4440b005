namespace Microsoft.ML.Shira.Inference.DataViews;

/// <summary>The lazy result of a transformer's <c>Transform</c>: the input columns passed through plus its outputs, computed as cursors reach them.</summary>
internal abstract class AppendedColumnsDataView(IDataView input, AppendedOutputColumns columns) : IDataView
{
    public abstract bool CanShuffle { get; }

    public DataViewSchema Schema => columns.Schema;

    /// <summary>The transformed data.</summary>
    protected IDataView Input { get; } = input;

    public long? GetRowCount() => Input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        ArgumentNullException.ThrowIfNull(columnsNeeded);
        var needed = columnsNeeded.ToList();
        var inputColumns = needed.Where(c => !columns.IsOutput(c.Index)).Select(c => Input.Schema[c.Index]).ToList();
        return CreateCursor(needed, inputColumns, rand);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    /// <summary>A cursor serving <paramref name="needed"/>, of which <paramref name="inputColumns"/> are the input's.</summary>
    protected abstract DataViewRowCursor CreateCursor(IReadOnlyList<DataViewSchema.Column> needed, IReadOnlyList<DataViewSchema.Column> inputColumns, Random? rand);
}
