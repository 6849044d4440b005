using Microsoft.ML.Data;

namespace Microsoft.ML.Shira.TextClassification.Inference;

/// <summary>Row-by-row scoring (a batch of one) for <c>PredictionEngine</c> and transformer chains.</summary>
internal sealed class ClassificationRowMapper : IRowToRowMapper
{
    private readonly ScoringContext _context;

    public ClassificationRowMapper(DataViewSchema inputSchema, ScoringContext context)
    {
        InputSchema = inputSchema;
        _context = context;
    }

    public DataViewSchema InputSchema { get; }

    public DataViewSchema OutputSchema => _context.Outputs.Schema;

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
    {
        ArgumentNullException.ThrowIfNull(dependingColumns);
        var indices = new SortedSet<int>();
        foreach (var column in dependingColumns)
        {
            if (_context.Outputs.IsOutput(column.Index))
                indices.UnionWith(_context.TextColumns.Select(c => c.Index));
            else
                indices.Add(column.Index);
        }
        return indices.Select(i => InputSchema[i]).ToArray();
    }

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(activeColumns);
        return new ClassificationRow(input, _context, _context.ActiveOutputs(activeColumns));
    }

    /// <summary>The input row plus outputs computed once per input position.</summary>
    private sealed class ClassificationRow : DataViewRow
    {
        private readonly DataViewRow _input;
        private readonly ScoringContext _context;
        private readonly bool[] _activeOutputs;
        private readonly RowTexts? _texts;
        private float[]? _logits;
        private long _scoredPosition = -1;
        private bool _disposed;

        public ClassificationRow(DataViewRow input, ScoringContext context, bool[] activeOutputs)
        {
            _input = input;
            _context = context;
            _activeOutputs = activeOutputs;
            if (activeOutputs.Any(a => a))
                _texts = new RowTexts(input, input.Schema[context.First.Index], context.Second is { } s ? input.Schema[s.Index] : null);
        }

        public override DataViewSchema Schema => _context.Outputs.Schema;

        public override long Position => _input.Position;

        public override long Batch => _input.Batch;

        public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) =>
            _context.Outputs.IsOutput(column.Index)
                ? _activeOutputs[column.Index - _context.Outputs.InputCount]
                : _input.IsColumnActive(_input.Schema[column.Index]);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!_context.Outputs.IsOutput(column.Index))
                return _input.GetGetter<TValue>(_input.Schema[column.Index]);
            if (!IsColumnActive(column))
                throw new InvalidOperationException($"Column '{column.Name}' was not requested when this row was created.");
            return OutputGetters.Create<TValue>(_context.Outputs, column.Index, CurrentLogits);
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

        /// <summary>Scores the current input row once, so every output of a row comes from one forward pass (one consistent adapter).</summary>
        private ArraySegment<float> CurrentLogits()
        {
            long position = _input.Position;
            if (_logits is null || position != _scoredPosition)
            {
                string first = _texts!.First();
                _logits = _context.Score([first], _texts.IsPair ? [_texts.Second()] : null);
                _scoredPosition = position;
            }
            return new ArraySegment<float>(_logits);
        }
    }
}
