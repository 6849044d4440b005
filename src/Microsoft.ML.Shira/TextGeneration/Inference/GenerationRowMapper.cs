using Microsoft.ML.Shira.Inference.DataViews;

namespace Microsoft.ML.Shira.TextGeneration.Inference;

/// <summary>Row-by-row generation for <c>PredictionEngine</c> and transformer chains.</summary>
internal sealed class GenerationRowMapper(DataViewSchema inputSchema, GenerationContext context) : AppendedColumnsRowMapper(inputSchema, context.Outputs)
{
    protected override IEnumerable<DataViewSchema.Column> SourceColumns => [context.Prompt];

    protected override IRowOutputs? CreateOutputs(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns) =>
        context.NeedsOutput(activeColumns) ? new RowGeneration(input, context) : null;
}
