using Microsoft.ML.Data;
using Microsoft.ML.Shira.TextClassification.Schema;
using Microsoft.ML.Shira.TextClassification.Training;

namespace Microsoft.ML.Shira.TextClassification.Data;

/// <summary>Reads the label of the current row as a 0-based class index, or -1 when it is missing (key 0).</summary>
internal static class LabelReader
{
    public static Func<int> Create(DataViewRow row, DataViewSchema.Column column, LabelInfo info)
    {
        if (info.IsBinary)
        {
            var getter = row.GetGetter<bool>(column);
            bool value = false;
            return () =>
            {
                getter(ref value);
                return value ? 1 : 0;
            };
        }
        Type raw = column.Type.RawType;
        if (raw == typeof(uint))
            return Key<uint>(row, column, info.ClassCount, v => v);
        if (raw == typeof(ushort))
            return Key<ushort>(row, column, info.ClassCount, v => v);
        if (raw == typeof(byte))
            return Key<byte>(row, column, info.ClassCount, v => v);
        if (raw == typeof(ulong))
            return Key<ulong>(row, column, info.ClassCount, v => v);
        throw new ArgumentOutOfRangeException(nameof(column), $"Label column '{column.Name}' is a key over {raw.Name}, which is not supported.");
    }

    private static Func<int> Key<T>(DataViewRow row, DataViewSchema.Column column, int classCount, Func<T, ulong> toKey)
    {
        var getter = row.GetGetter<T>(column);
        T value = default!;
        return () =>
        {
            getter(ref value);
            ulong key = toKey(value);
            if (key == 0)
                return -1;
            if (key > (ulong)classCount)
                throw new InvalidOperationException($"Label column '{column.Name}' has key {key} at row {row.Position}, outside its {classCount} values.");
            return (int)(key - 1);
        };
    }
}
