using System.Reflection;
using Microsoft.ML.Data;

namespace Microsoft.ML.Shira.Runtime;

/// <summary>
/// Creates <see cref="SchemaShape.Column"/> values. ML.NET 5 exposes no public constructor for them (its own
/// estimators use an internal one), so an estimator outside ML.NET that reports the shape of new columns must call
/// that constructor through reflection. This is the library's only use of a non-public ML.NET member.
/// </summary>
internal static class SchemaShapeColumns
{
    private static readonly ConstructorInfo? Constructor = typeof(SchemaShape.Column).GetConstructor(
        BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic,
        binder: null,
        [typeof(string), typeof(SchemaShape.Column.VectorKind), typeof(DataViewType), typeof(bool), typeof(SchemaShape)],
        modifiers: null);

    /// <summary>A column of the given shape.</summary>
    /// <exception cref="NotSupportedException">This ML.NET version has no such constructor.</exception>
    public static SchemaShape.Column Create(string name, SchemaShape.Column.VectorKind kind, DataViewType itemType, bool isKey, SchemaShape? annotations = null)
    {
        if (Constructor is null)
            throw new NotSupportedException(
                $"This version of ML.NET ({typeof(SchemaShape).Assembly.GetName().Version}) has no SchemaShape.Column(string, VectorKind, DataViewType, bool, SchemaShape) constructor; " +
                "GetOutputSchema(SchemaShape) is unavailable. Fit the estimator and use the transformer's GetOutputSchema(DataViewSchema) instead.");
        return (SchemaShape.Column)Constructor.Invoke([name, kind, itemType, isKey, annotations]);
    }

    /// <summary>Finds a column by name (ML.NET's own <c>TryFindColumn</c> is internal).</summary>
    public static bool TryFind(SchemaShape? shape, string name, out SchemaShape.Column column)
    {
        foreach (var candidate in shape ?? new SchemaShape([]))
        {
            if (candidate.Name == name)
            {
                column = candidate;
                return true;
            }
        }
        column = default;
        return false;
    }

    /// <summary>A scalar or vector text annotation.</summary>
    public static SchemaShape.Column Text(string name, bool vector) =>
        Create(name, vector ? SchemaShape.Column.VectorKind.Vector : SchemaShape.Column.VectorKind.Scalar, TextDataViewType.Instance, isKey: false);
}
