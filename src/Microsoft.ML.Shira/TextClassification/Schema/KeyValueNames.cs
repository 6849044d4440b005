using System.Reflection;
using Microsoft.ML.Data;

namespace Microsoft.ML.Shira.TextClassification.Schema;

/// <summary>Reads a key column's <c>KeyValues</c> annotation as text, whatever the values' type.</summary>
internal static class KeyValueNames
{
    public const string KeyValues = "KeyValues";

    private static readonly MethodInfo ReadTyped = typeof(KeyValueNames).GetMethod(nameof(Read), BindingFlags.NonPublic | BindingFlags.Static)!;

    /// <summary>The key values as strings, or null when the column has none.</summary>
    public static string[]? TryGet(DataViewSchema.Column column)
    {
        var annotation = column.Annotations.Schema.GetColumnOrNull(KeyValues);
        if (annotation is not { } kv || kv.Type is not VectorDataViewType vector)
            return null;
        return (string[])ReadTyped.MakeGenericMethod(vector.ItemType.RawType).Invoke(null, [column.Annotations])!;
    }

    private static string[] Read<T>(DataViewSchema.Annotations annotations)
    {
        VBuffer<T> values = default;
        annotations.GetValue(KeyValues, ref values);
        return values.DenseValues().Select(v => v?.ToString() ?? "").ToArray();
    }
}
