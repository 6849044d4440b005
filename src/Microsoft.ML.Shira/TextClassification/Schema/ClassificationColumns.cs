namespace Microsoft.ML.Shira.TextClassification.Schema;

/// <summary>The input and output column names of a text classifier.</summary>
internal sealed record ClassificationColumns(
    string Label,
    string Sentence1,
    string? Sentence2,
    string PredictedLabel,
    string Score,
    string Probability)
{
    public static ClassificationColumns From(ShiraTextClassificationOptions options) => new(
        options.LabelColumnName, options.Sentence1ColumnName, options.Sentence2ColumnName,
        options.PredictedLabelColumnName, options.ScoreColumnName, options.ProbabilityColumnName);
}
