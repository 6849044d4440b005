using Microsoft.ML.Data;

namespace Microsoft.ML.Shira.Inference.DataViews;

/// <summary>Row-by-row mapping for <c>PredictionEngine</c> and transformer chains: each input row with the outputs computed from its source columns.</summary>
internal abstract class AppendedColumnsRowMapper(DataViewSchema inputSchema, AppendedOutputColumns columns) : IRowToRowMapper
{
    public DataViewSchema InputSchema { get; } = inputSchema;

    public DataViewSchema OutputSchema => columns.Schema;

    /// <summary>The input columns every output is computed from.</summary>
    protected abstract IEnumerable<DataViewSchema.Column> SourceColumns { get; }

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
    {
        ArgumentNullException.ThrowIfNull(dependingColumns);
        var indices = new SortedSet<int>();
        foreach (var column in dependingColumns)
        {
            if (columns.IsOutput(column.Index))
                indices.UnionWith(SourceColumns.Select(c => c.Index));
            else
                indices.Add(column.Index);
        }
        return indices.Select(i => InputSchema[i]).ToArray();
    }

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(activeColumns);
        return new AppendedColumnsRow(input, columns, CreateOutputs(input, activeColumns));
    }

    /// <summary>The outputs of <paramref name="input"/>'s current row among <paramref name="activeColumns"/>, or null when none is active.</summary>
    protected abstract IRowOutputs? CreateOutputs(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns);
}
