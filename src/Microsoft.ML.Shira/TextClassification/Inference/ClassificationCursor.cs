using Microsoft.ML.Data;

namespace Microsoft.ML.Shira.TextClassification.Inference;

/// <summary>Serves input columns from the main cursor and outputs from batches scored ahead by the look-ahead cursor.</summary>
internal sealed class ClassificationCursor : DataViewRowCursor
{
    private readonly DataViewRowCursor _main;
    private readonly DataViewRowCursor? _lookahead;
    private readonly ScoringContext _context;
    private readonly bool[] _activeOutputs;
    private readonly RowTexts? _texts;
    private readonly ValueGetter<DataViewRowId>? _mainId;
    private readonly ValueGetter<DataViewRowId>? _lookaheadId;
    private readonly List<DataViewRowId> _ids = new();
    private float[] _logits = [];
    private int _row = -1;
    private bool _disposed;

    public ClassificationCursor(DataViewRowCursor main, DataViewRowCursor? lookahead, ScoringContext context, bool[] activeOutputs)
    {
        _main = main;
        _lookahead = lookahead;
        _context = context;
        _activeOutputs = activeOutputs;
        if (lookahead is not null)
        {
            _texts = new RowTexts(lookahead, lookahead.Schema[context.First.Index], context.Second is { } s ? lookahead.Schema[s.Index] : null);
            _mainId = main.GetIdGetter();
            _lookaheadId = lookahead.GetIdGetter();
        }
    }

    public override DataViewSchema Schema => _context.Outputs.Schema;

    public override long Position => _main.Position;

    public override long Batch => _main.Batch;

    public override ValueGetter<DataViewRowId> GetIdGetter() => _main.GetIdGetter();

    public override bool IsColumnActive(DataViewSchema.Column column) =>
        _context.Outputs.IsOutput(column.Index)
            ? _activeOutputs[column.Index - _context.Outputs.InputCount]
            : _main.IsColumnActive(_main.Schema[column.Index]);

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        if (!_context.Outputs.IsOutput(column.Index))
            return _main.GetGetter<TValue>(_main.Schema[column.Index]);
        if (!IsColumnActive(column))
            throw new InvalidOperationException($"Column '{column.Name}' was not requested when this cursor was created.");
        return OutputGetters.Create<TValue>(_context.Outputs, column.Index, CurrentLogits);
    }

    public override bool MoveNext()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_main.MoveNext())
            return false;
        if (_lookahead is null)
            return true;
        if (++_row >= _ids.Count)
            ScoreNextBatch();
        DataViewRowId id = default;
        _mainId!(ref id);
        if (!id.Equals(_ids[_row]))
            throw new InvalidOperationException(
                $"The input data view returned different rows to two cursors (row {Position}). SHiRA scoring reads the input twice in the same order; " +
                "cache the input first (mlContext.Data.Cache) if it is not repeatable.");
        return true;
    }

    protected override void Dispose(bool disposing)
    {
        if (_disposed)
            return;
        if (disposing)
        {
            _main.Dispose();
            _lookahead?.Dispose();
        }
        _disposed = true;
        base.Dispose(disposing);
    }

    private void ScoreNextBatch()
    {
        var first = new List<string>(_context.BatchSize);
        var second = _texts!.IsPair ? new List<string>(_context.BatchSize) : null;
        _ids.Clear();
        while (first.Count < _context.BatchSize && _lookahead!.MoveNext())
        {
            first.Add(_texts.First());
            second?.Add(_texts.Second());
            DataViewRowId id = default;
            _lookaheadId!(ref id);
            _ids.Add(id);
        }
        if (first.Count == 0)
            throw new InvalidOperationException("The input data view returned fewer rows to the scoring cursor than to the main cursor; it must be repeatable (cache it with mlContext.Data.Cache).");
        _logits = _context.Score(first, second);
        _row = 0;
    }

    private ArraySegment<float> CurrentLogits()
    {
        if (_row < 0 || _row >= _ids.Count)
            throw new InvalidOperationException("The cursor is not on a row; call MoveNext first.");
        int k = _context.ClassCount;
        return new ArraySegment<float>(_logits, _row * k, k);
    }
}
