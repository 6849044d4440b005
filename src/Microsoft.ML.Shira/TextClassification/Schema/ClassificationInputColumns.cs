using Microsoft.ML.Data;
using Microsoft.ML.Shira.Runtime;

namespace Microsoft.ML.Shira.TextClassification.Schema;

/// <summary>
/// Checks the input columns of SHiRA text classification and explains every mismatch: the column, its role, the
/// expected type and the actual one. Schema mismatches are <see cref="ArgumentOutOfRangeException"/>, as in ML.NET.
/// </summary>
internal static class ClassificationInputColumns
{
    /// <summary>Throws unless the text column (and the second text column of pairs) exist and are text.</summary>
    public static void RequireTexts(DataViewSchema schema, ClassificationColumns names)
    {
        InputColumnChecks.RequireText(schema, names.Sentence1, "text (Sentence1)");
        if (names.Sentence2 is not null)
            InputColumnChecks.RequireText(schema, names.Sentence2, "second text (Sentence2)");
    }

    /// <summary>The shape-level checks of <see cref="RequireTexts(DataViewSchema, ClassificationColumns)"/>.</summary>
    public static void RequireTexts(SchemaShape shape, ClassificationColumns names)
    {
        InputColumnChecks.RequireText(shape, names.Sentence1, "text (Sentence1)");
        if (names.Sentence2 is not null)
            InputColumnChecks.RequireText(shape, names.Sentence2, "second text (Sentence2)");
    }

    /// <summary>Reads what the label column says about the classes; throws unless it is a key (≥ 2 values) or Boolean.</summary>
    public static LabelInfo RequireLabel(DataViewSchema schema, string columnName)
    {
        var column = InputColumnChecks.Require(schema, columnName, "label");
        if (column.Type is BooleanDataViewType)
            return new LabelInfo(true, 2, null, null, column.Type);
        if (column.Type is not KeyDataViewType key)
            throw new ArgumentOutOfRangeException(nameof(schema), LabelTypeMessage(columnName, $"{column.Type}"));
        if (key.Count < 2 || key.Count > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(schema),
                $"Label column '{columnName}' is a key type with {key.Count} values; classification needs at least two classes " +
                "(and a known count). Map the label with mlContext.Transforms.Conversion.MapValueToKey over data that has every class.");
        var names = KeyValueNames.TryGet(column);
        return new LabelInfo(false, (int)key.Count, names, names is null ? null : column.Annotations, column.Type);
    }

    /// <summary>
    /// When <paramref name="schema"/> has a key-typed label column (e.g. data about to be evaluated) and the head is
    /// multiclass, checks that the label's values are exactly the classes the head predicts, so no label value is unseen
    /// in training and keys line up. Label columns of other types are not read at inference and are ignored.
    /// </summary>
    public static void CheckLabelMatchesHead(DataViewSchema schema, string columnName, ShiraClassificationHead head, string adapterName)
    {
        var column = schema.GetColumnOrNull(columnName);
        if (head.IsBinary || column is not { } label || label.Type is not KeyDataViewType key)
            return;
        var names = KeyValueNames.TryGet(label);
        if (names is not null && head.ClassNames is not null)
        {
            var unseen = names.Where(n => !head.ClassNames.Contains(n, StringComparer.Ordinal)).ToList();
            if (unseen.Count > 0)
                throw new ArgumentOutOfRangeException(nameof(schema),
                    $"Label column '{columnName}' has value(s) {InputColumnChecks.Quote(unseen)} that adapter '{adapterName}' never saw in training (it knows {InputColumnChecks.Quote(head.ClassNames)}). " +
                    "Fit MapValueToKey on the training data and reuse that transformer (e.g. in the same pipeline) so unseen values become missing keys.");
            if (!names.SequenceEqual(head.ClassNames, StringComparer.Ordinal))
                throw new ArgumentOutOfRangeException(nameof(schema),
                    $"Label column '{columnName}' orders its keys {InputColumnChecks.Quote(names)} but adapter '{adapterName}' was trained with {InputColumnChecks.Quote(head.ClassNames)}; " +
                    "reuse the training MapValueToKey transformer so keys mean the same classes.");
            return;
        }
        if ((long)key.Count != head.ClassCount)
            throw new ArgumentOutOfRangeException(nameof(schema),
                $"Label column '{columnName}' has {key.Count} key values but adapter '{adapterName}' was trained on {head.ClassCount} classes; " +
                "reuse the training MapValueToKey transformer so keys mean the same classes.");
    }

    /// <summary>The shape-level checks of <see cref="RequireLabel(DataViewSchema, string)"/>; returns true for a Boolean label.</summary>
    public static (bool IsBinary, SchemaShape.Column Column) RequireLabel(SchemaShape shape, string columnName)
    {
        var column = InputColumnChecks.Require(shape, columnName, "label");
        if (column.Kind == SchemaShape.Column.VectorKind.Scalar && column.ItemType is BooleanDataViewType)
            return (true, column);
        if (column.Kind == SchemaShape.Column.VectorKind.Scalar && column.IsKey)
            return (false, column);
        throw new ArgumentOutOfRangeException(nameof(shape), LabelTypeMessage(columnName, InputColumnChecks.Describe(column)));
    }

    private static string LabelTypeMessage(string columnName, string actual) =>
        $"The label column '{columnName}' must be a key type (multiclass: map it with mlContext.Transforms.Conversion.MapValueToKey(\"{columnName}\")) " +
        $"or Boolean (binary); it is {actual}.";
}
