using Microsoft.ML.Data;

namespace Microsoft.ML.Shira.TextGeneration.Inference;

/// <summary>Row-by-row generation for <c>PredictionEngine</c> and transformer chains.</summary>
internal sealed class GenerationRowMapper : IRowToRowMapper
{
    private readonly GenerationContext _context;

    public GenerationRowMapper(DataViewSchema inputSchema, GenerationContext context)
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
            indices.Add(_context.Outputs.IsOutput(column.Index) ? _context.Prompt.Index : column.Index);
        return indices.Select(i => InputSchema[i]).ToArray();
    }

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(activeColumns);
        return new GenerationRow(input, _context, _context.NeedsOutput(activeColumns));
    }

    /// <summary>The input row plus the generated text, computed once per input position.</summary>
    private sealed class GenerationRow : DataViewRow
    {
        private readonly DataViewRow _input;
        private readonly GenerationContext _context;
        private readonly RowGeneration? _generation;
        private bool _disposed;

        public GenerationRow(DataViewRow input, GenerationContext context, bool outputActive)
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
                ?? throw new InvalidOperationException($"Column '{column.Name}' was not requested when this row was created.");
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
}
