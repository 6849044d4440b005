using Microsoft.ML.Data;
using Microsoft.ML.Shira.TextClassification.Data;

namespace Microsoft.ML.Shira.TextClassification.Inference;

/// <summary>
/// The logits of the main cursor's rows, scored ahead in batches by a look-ahead cursor over the text columns; the
/// main cursor's row ids are checked against the look-ahead's.
/// </summary>
internal sealed class LookaheadLogits : LogitOutputs, IDisposable
{
    private readonly DataViewRowCursor _main;
    private readonly DataViewRowCursor _lookahead;
    private readonly RowTexts _texts;
    private readonly ValueGetter<DataViewRowId> _mainId;
    private readonly ValueGetter<DataViewRowId> _lookaheadId;
    private readonly List<DataViewRowId> _ids = new();
    private float[] _logits = [];
    private int _row = -1;

    /// <param name="main">The cursor serving the rows (not owned).</param>
    /// <param name="lookahead">The cursor reading the texts ahead (owned).</param>
    /// <param name="context">The scoring context.</param>
    /// <param name="activeOutputs">Which output columns are active.</param>
    public LookaheadLogits(DataViewRowCursor main, DataViewRowCursor lookahead, ClassificationContext context, bool[] activeOutputs)
        : base(context, activeOutputs)
    {
        _main = main;
        _lookahead = lookahead;
        _texts = context.TextsOf(lookahead);
        _mainId = main.GetIdGetter();
        _lookaheadId = lookahead.GetIdGetter();
    }

    public override void OnMoved()
    {
        if (++_row >= _ids.Count)
            ScoreNextBatch();
        DataViewRowId id = default;
        _mainId(ref id);
        if (!id.Equals(_ids[_row]))
            throw new InvalidOperationException(
                $"The input data view returned different rows to two cursors (row {_main.Position}). SHiRA scoring reads the input twice in the same order; " +
                "cache the input first (mlContext.Data.Cache) if it is not repeatable.");
    }

    public void Dispose() => _lookahead.Dispose();

    protected override ArraySegment<float> CurrentLogits()
    {
        if (_row < 0 || _row >= _ids.Count)
            throw new InvalidOperationException("The cursor is not on a row; call MoveNext first.");
        int k = Context.ClassCount;
        return new ArraySegment<float>(_logits, _row * k, k);
    }

    private void ScoreNextBatch()
    {
        var first = new List<string>(Context.BatchSize);
        var second = _texts.IsPair ? new List<string>(Context.BatchSize) : null;
        _ids.Clear();
        while (first.Count < Context.BatchSize && _lookahead.MoveNext())
        {
            first.Add(_texts.First());
            second?.Add(_texts.Second());
            DataViewRowId id = default;
            _lookaheadId(ref id);
            _ids.Add(id);
        }
        if (first.Count == 0)
            throw new InvalidOperationException("The input data view returned fewer rows to the scoring cursor than to the main cursor; it must be repeatable (cache it with mlContext.Data.Cache).");
        _logits = Context.Score(first, second);
        _row = 0;
    }
}
