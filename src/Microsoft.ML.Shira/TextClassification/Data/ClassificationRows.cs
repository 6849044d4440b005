using Microsoft.ML.Shira.Runtime;
using Microsoft.ML.Shira.TextClassification.Inference;
using Microsoft.ML.Shira.TextClassification.Schema;
using Microsoft.ML.Shira.TextClassification.Training;

namespace Microsoft.ML.Shira.TextClassification.Data;

/// <summary>
/// Reads labeled rows from an <see cref="IDataView"/>. Rows with a missing label (key 0) are skipped, as ML.NET
/// trainers do. Empty or whitespace-only text is an error naming the row: it is almost always a loading mistake
/// (wrong separator or column), and training on it would silently teach the model nothing useful.
/// </summary>
internal static class ClassificationRows
{
    public static List<Example> Read(IDataView data, ClassificationColumns names, LabelInfo label, string dataName, MlContextLog log, CancellationToken token)
    {
        var schema = data.Schema;
        var first = schema[names.Sentence1];
        DataViewSchema.Column? second = names.Sentence2 is null ? null : schema[names.Sentence2];
        var labelColumn = schema[names.Label];
        var active = new List<DataViewSchema.Column> { first, labelColumn };
        if (second is { } s)
            active.Add(s);

        var examples = new List<Example>();
        long missing = 0;
        using var cursor = data.GetRowCursor(active);
        var readLabel = LabelReader.Create(cursor, labelColumn, label);
        var texts = new RowTexts(cursor, first, second);
        long row = -1;
        while (cursor.MoveNext())
        {
            row++;
            if ((row & 63) == 0)
                token.ThrowIfCancellationRequested();
            int y = readLabel();
            if (y < 0)
            {
                missing++;
                continue;
            }
            string a = RequireText(texts.First(), names.Sentence1, row, dataName);
            string? b = texts.IsPair ? RequireText(texts.Second(), names.Sentence2!, row, dataName) : null;
            examples.Add(new Example(a, b, y));
        }
        if (missing > 0)
            log.Warning($"Skipped {missing} {dataName} row(s) whose label '{names.Label}' is missing.");
        if (examples.Count == 0)
            throw new InvalidOperationException($"The {dataName} data has no labeled rows ({row + 1} rows read, {missing} with a missing label '{names.Label}').");
        return examples;
    }

    /// <summary>Checks that validation labels mean the same classes as the training labels.</summary>
    public static void RequireSameLabels(LabelInfo training, LabelInfo validation, string columnName)
    {
        bool same = training.IsBinary == validation.IsBinary && training.ClassCount == validation.ClassCount
            && (training.ClassNames is null || validation.ClassNames is null || training.ClassNames.SequenceEqual(validation.ClassNames, StringComparer.Ordinal));
        if (!same)
            throw new ArgumentOutOfRangeException(nameof(ShiraTextClassificationOptions.ValidationSet),
                $"The validation set's label column '{columnName}' ({validation.Type}{Names(validation)}) does not have the training label's classes ({training.Type}{Names(training)}). " +
                "Transform the validation data with the same fitted MapValueToKey transformer as the training data.");
    }

    private static string Names(LabelInfo info) => info.ClassNames is null ? "" : ": " + string.Join(", ", info.ClassNames.Take(10));

    private static string RequireText(string text, string columnName, long row, string dataName)
    {
        if (string.IsNullOrWhiteSpace(text))
            throw new InvalidOperationException(
                $"Row {row} of the {dataName} data has an empty text in column '{columnName}'. SHiRA cannot learn from empty text: " +
                "check how the data is loaded (separator, column index), or drop such rows first (e.g. with mlContext.Data.FilterByCustomPredicate).");
        return text;
    }
}
