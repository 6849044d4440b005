using Microsoft.ML.Data;
using Microsoft.ML.Shira.TextClassification.Schema;

namespace Microsoft.ML.Shira.TextClassification.Persistence;

/// <summary>
/// The training label's <c>KeyValues</c> annotation of a head, with its original value type (text, numbers, …), kept as
/// a one-column schema so that a loaded model's <c>PredictedLabel</c> (and a following <c>MapKeyToValue</c>) has exactly
/// the original type. ML.NET stores the schema, annotations included, in a nested model zip.
/// </summary>
internal static class LabelKeyValuesSchema
{
    private const string Column = "Label";

    /// <summary>The schema to store for <paramref name="head"/>, or null when its label had no KeyValues annotation.</summary>
    public static DataViewSchema? Create(ShiraClassificationHead head)
    {
        if (head.LabelAnnotations is not { } label || label.Schema.GetColumnOrNull(KeyValueNames.KeyValues) is null)
            return null;
        var annotations = new DataViewSchema.Annotations.Builder();
        annotations.Add(label, name => name == KeyValueNames.KeyValues);
        var schema = new DataViewSchema.Builder();
        schema.AddColumn(Column, new KeyDataViewType(typeof(uint), head.ClassCount), annotations.ToAnnotations());
        return schema.ToSchema();
    }

    /// <summary>The label annotations stored by <see cref="Create"/>; null when the schema does not fit the head.</summary>
    public static DataViewSchema.Annotations? Read(DataViewSchema schema, ShiraClassificationHead head)
    {
        if (schema.GetColumnOrNull(Column) is not { } column)
            return null;
        var names = KeyValueNames.TryGet(column);
        if (names is null || names.Length != head.ClassCount || (head.ClassNames is not null && !names.SequenceEqual(head.ClassNames, StringComparer.Ordinal)))
            return null;
        return column.Annotations;
    }
}
