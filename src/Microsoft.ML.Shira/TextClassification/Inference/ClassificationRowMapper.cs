using Microsoft.ML.Shira.Inference.DataViews;

namespace Microsoft.ML.Shira.TextClassification.Inference;

/// <summary>Row-by-row scoring (a batch of one) for <c>PredictionEngine</c> and transformer chains.</summary>
internal sealed class ClassificationRowMapper(DataViewSchema inputSchema, ClassificationContext context) : AppendedColumnsRowMapper(inputSchema, context.Outputs)
{
    protected override IEnumerable<DataViewSchema.Column> SourceColumns => context.TextColumns;

    protected override IRowOutputs? CreateOutputs(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
    {
        bool[] active = context.ActiveOutputs(activeColumns);
        return active.Any(a => a) ? new RowLogits(input, context, active) : null;
    }
}
