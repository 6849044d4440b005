using Microsoft.ML.Data;

namespace Microsoft.ML.Shira.Inference.DataViews;

/// <summary>A cursor over an input cursor's rows with a transformer's outputs appended (see <see cref="AppendedColumnsRow"/>).</summary>
internal sealed class AppendedColumnsCursor : DataViewRowCursor
{
    private readonly DataViewRowCursor _input;
    private readonly IRowOutputs? _outputs;
    private readonly AppendedColumnsRow _row;
    private bool _disposed;

    /// <param name="input">The input cursor (owned: disposed with this cursor).</param>
    /// <param name="columns">The output schema.</param>
    /// <param name="outputs">The active outputs, or null when none is active (owned when disposable).</param>
    public AppendedColumnsCursor(DataViewRowCursor input, AppendedOutputColumns columns, IRowOutputs? outputs)
    {
        _input = input;
        _outputs = outputs;
        _row = new AppendedColumnsRow(input, columns, outputs, "cursor");
    }

    public override DataViewSchema Schema => _row.Schema;

    public override long Position => _row.Position;

    public override long Batch => _row.Batch;

    public override ValueGetter<DataViewRowId> GetIdGetter() => _row.GetIdGetter();

    public override bool IsColumnActive(DataViewSchema.Column column) => _row.IsColumnActive(column);

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => _row.GetGetter<TValue>(column);

    public override bool MoveNext()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_input.MoveNext())
            return false;
        _outputs?.OnMoved();
        return true;
    }

    protected override void Dispose(bool disposing)
    {
        if (_disposed)
            return;
        if (disposing)
            _row.Dispose();
        _disposed = true;
        base.Dispose(disposing);
    }
}
