using Microsoft.ML.Data;
using Microsoft.ML.Shira.Inference.DataViews;
using Microsoft.ML.Shira.Runtime;

namespace Microsoft.ML.Shira.TextGeneration.Schema;

/// <summary>The output schema of a text generator: every input column, then the generated text (String).</summary>
internal sealed class GenerationOutputColumns : AppendedOutputColumns
{
    private GenerationOutputColumns(DataViewSchema schema, int inputCount)
        : base(schema, inputCount)
    {
    }

    /// <summary>Builds the output schema of <paramref name="input"/> (an input column of the same name becomes hidden).</summary>
    public static GenerationOutputColumns Create(DataViewSchema input, GenerationColumns names)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(input);
        builder.AddColumn(names.Output, TextDataViewType.Instance);
        return new GenerationOutputColumns(builder.ToSchema(), input.Count);
    }

    /// <summary>The shape-level counterpart of <see cref="Create"/> for <c>IEstimator.GetOutputSchema</c>.</summary>
    public static SchemaShape Shape(SchemaShape input, GenerationColumns names)
    {
        var columns = input.ToDictionary(c => c.Name);
        columns[names.Output] = SchemaShapeColumns.Create(names.Output, SchemaShape.Column.VectorKind.Scalar, TextDataViewType.Instance, isKey: false);
        return new SchemaShape(columns.Values);
    }
}
