using Microsoft.ML.Shira.Inference.DataViews;

namespace Microsoft.ML.Shira.TextGeneration.Inference;

/// <summary>
/// The lazy result of <see cref="ShiraTextGenerationTransformer.Transform"/>: the input columns passed through plus the
/// generated text, computed for a row when a cursor first reads that row's output.
/// </summary>
/// <remarks>
/// Generation is per prompt (each row runs its own decoding loop with its own key/value cache), so no look-ahead
/// cursor is needed: one input cursor carries the prompt column along with the columns asked for. Shuffling is
/// delegated to the input.
/// </remarks>
internal sealed class GenerationDataView(IDataView input, GenerationContext context) : AppendedColumnsDataView(input, context.Outputs)
{
    public override bool CanShuffle => Input.CanShuffle;

    protected override DataViewRowCursor CreateCursor(IReadOnlyList<DataViewSchema.Column> needed, IReadOnlyList<DataViewSchema.Column> inputColumns, Random? rand)
    {
        bool output = context.NeedsOutput(needed);
        var columns = output ? inputColumns.Append(context.Prompt) : inputColumns;
        var cursor = Input.GetRowCursor(columns.DistinctBy(c => c.Index), rand);
        return new AppendedColumnsCursor(cursor, context.Outputs, output ? new RowGeneration(cursor, context) : null);
    }
}
