using Microsoft.ML.Data;

namespace Microsoft.ML.Shira.Inference.DataViews;

/// <summary>An input row with a transformer's outputs appended: input columns are served by the input, outputs by <see cref="IRowOutputs"/>.</summary>
internal sealed class AppendedColumnsRow : DataViewRow
{
    private readonly DataViewRow _input;
    private readonly AppendedOutputColumns _columns;
    private readonly IRowOutputs? _outputs;
    private readonly string _kind;
    private bool _disposed;

    /// <param name="input">The input row (owned: disposed with this row).</param>
    /// <param name="columns">The output schema.</param>
    /// <param name="outputs">The active outputs, or null when none is active (owned when disposable).</param>
    /// <param name="kind">What the caller created ("row" or "cursor"), named when an inactive column is read.</param>
    public AppendedColumnsRow(DataViewRow input, AppendedOutputColumns columns, IRowOutputs? outputs, string kind = "row")
    {
        _input = input;
        _columns = columns;
        _outputs = outputs;
        _kind = kind;
    }

    public override DataViewSchema Schema => _columns.Schema;

    public override long Position => _input.Position;

    public override long Batch => _input.Batch;

    public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

    public override bool IsColumnActive(DataViewSchema.Column column) =>
        _columns.IsOutput(column.Index)
            ? _outputs is not null && _outputs.IsActive(column)
            : _input.IsColumnActive(_input.Schema[column.Index]);

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        if (!_columns.IsOutput(column.Index))
            return _input.GetGetter<TValue>(_input.Schema[column.Index]);
        if (!IsColumnActive(column))
            throw new InvalidOperationException($"Column '{column.Name}' was not requested when this {_kind} was created.");
        return _outputs!.GetGetter<TValue>(column);
    }

    protected override void Dispose(bool disposing)
    {
        if (_disposed)
            return;
        if (disposing)
        {
            _input.Dispose();
            (_outputs as IDisposable)?.Dispose();
        }
        _disposed = true;
        base.Dispose(disposing);
    }
}
