using Microsoft.ML.Data;

namespace Microsoft.ML.Shira.Runtime;

/// <summary>
/// Checks of input columns that every task needs, with messages that name the column, its role, the expected type and
/// the actual one. Schema mismatches are <see cref="ArgumentOutOfRangeException"/>, as in ML.NET.
/// </summary>
internal static class InputColumnChecks
{
    /// <summary>Throws unless <paramref name="columnName"/> exists and is text.</summary>
    public static DataViewSchema.Column RequireText(DataViewSchema schema, string columnName, string role)
    {
        var column = Require(schema, columnName, role);
        if (column.Type is not TextDataViewType)
            throw new ArgumentOutOfRangeException(nameof(schema), TextTypeMessage(columnName, role, $"{column.Type}"));
        return column;
    }

    /// <summary>The shape-level checks of <see cref="RequireText(DataViewSchema, string, string)"/>.</summary>
    public static SchemaShape.Column RequireText(SchemaShape shape, string columnName, string role)
    {
        var column = Require(shape, columnName, role);
        if (column.Kind != SchemaShape.Column.VectorKind.Scalar || column.ItemType is not TextDataViewType)
            throw new ArgumentOutOfRangeException(nameof(shape), TextTypeMessage(columnName, role, Describe(column)));
        return column;
    }

    /// <summary>The visible column <paramref name="columnName"/>; throws listing the schema's columns when it is missing.</summary>
    public static DataViewSchema.Column Require(DataViewSchema schema, string columnName, string role)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var column = schema.GetColumnOrNull(columnName);
        if (column is not { } found || found.IsHidden)
            throw new ArgumentOutOfRangeException(nameof(schema), MissingMessage(columnName, role, schema.Where(c => !c.IsHidden).Select(c => c.Name)));
        return found;
    }

    /// <summary>The shape-level checks of <see cref="Require(DataViewSchema, string, string)"/>.</summary>
    public static SchemaShape.Column Require(SchemaShape shape, string columnName, string role)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (!SchemaShapeColumns.TryFind(shape, columnName, out var column))
            throw new ArgumentOutOfRangeException(nameof(shape), MissingMessage(columnName, role, shape.Select(c => c.Name)));
        return column;
    }

    /// <summary>A shape column's type as messages show it, e.g. <c>Key&lt;UInt32&gt;</c> or <c>Vector&lt;Single&gt;</c>.</summary>
    public static string Describe(SchemaShape.Column column) =>
        column.Kind == SchemaShape.Column.VectorKind.Scalar ? (column.IsKey ? $"Key<{column.ItemType}>" : $"{column.ItemType}") : $"Vector<{column.ItemType}>";

    /// <summary>The first twelve values, quoted, and how many there are in all.</summary>
    public static string Quote(IReadOnlyCollection<string> values) =>
        string.Join(", ", values.Take(12).Select(v => $"'{v}'")) + (values.Count > 12 ? $", … ({values.Count} in all)" : "");

    private static string MissingMessage(string columnName, string role, IEnumerable<string> columns) =>
        $"The {role} column '{columnName}' is not in the input data. Its columns are: {Quote(columns.ToList())}.";

    private static string TextTypeMessage(string columnName, string role, string actual) =>
        $"The {role} column '{columnName}' must be text (String); it is {actual}.";
}
