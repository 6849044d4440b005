using Microsoft.ML.Data;

namespace Microsoft.ML.Shira.TextGeneration.Inference;

/// <summary>Serves the input columns from the input cursor and the generated text of the current row.</summary>
internal sealed class GenerationCursor : DataViewRowCursor
{
    private readonly DataViewRowCursor _input;
    private readonly GenerationContext _context;
    private readonly RowGeneration? _generation;
    private bool _disposed;

    public GenerationCursor(DataViewRowCursor input, GenerationContext context, bool outputActive)
    {
        _input = input;
        _context = context;
        _generation = outputActive ? new RowGeneration(input, context) : null;
    }

    public override DataViewSchema Schema => _context.Outputs.Schema;

    public override long Position => _input.Position;

    public override long Batch => _input.Batch;

    public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

    public override bool IsColumnActive(DataViewSchema.Column column) =>
        _context.Outputs.IsOutput(column.Index) ? _generation is not null : _input.IsColumnActive(_input.Schema[column.Index]);

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        if (!_context.Outputs.IsOutput(column.Index))
            return _input.GetGetter<TValue>(_input.Schema[column.Index]);
        return _generation?.Getter<TValue>(column)
            ?? throw new InvalidOperationException($"Column '{column.Name}' was not requested when this cursor was created.");
    }

    public override bool MoveNext()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _input.MoveNext();
    }

    protected override void Dispose(bool disposing)
    {
        if (_disposed)
            return;
        if (disposing)
            _input.Dispose();
        _disposed = true;
        base.Dispose(disposing);
    }
}
