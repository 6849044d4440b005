using Microsoft.ML.Shira.Inference.DataViews;

namespace Microsoft.ML.Shira.TextClassification.Inference;

/// <summary>
/// The lazy result of <see cref="ShiraTextClassificationTransformer.Transform"/>: the input columns passed through plus
/// the classifier outputs, computed in batches when a cursor reaches them.
/// </summary>
/// <remarks>
/// Each cursor that needs an output runs a second, look-ahead cursor over the input's text columns: it reads the next
/// batch of texts, scores them in one forward pass, and the main cursor (which carries every other input column) then
/// serves the rows one by one, checking that both cursors are on the same row id (see <see cref="LookaheadLogits"/>).
/// Shuffling is not offered (<see cref="CanShuffle"/> is false) so both cursors see the input in the same order.
/// </remarks>
internal sealed class ClassificationDataView(IDataView input, ClassificationContext context) : AppendedColumnsDataView(input, context.Outputs)
{
    public override bool CanShuffle => false;

    protected override DataViewRowCursor CreateCursor(IReadOnlyList<DataViewSchema.Column> needed, IReadOnlyList<DataViewSchema.Column> inputColumns, Random? rand)
    {
        bool[] outputs = context.ActiveOutputs(needed);
        var main = Input.GetRowCursor(inputColumns);
        try
        {
            var lookahead = outputs.Any(o => o) ? Input.GetRowCursor(context.TextColumns) : null;
            return new AppendedColumnsCursor(main, context.Outputs, lookahead is null ? null : new LookaheadLogits(main, lookahead, context, outputs));
        }
        catch
        {
            main.Dispose();
            throw;
        }
    }
}
