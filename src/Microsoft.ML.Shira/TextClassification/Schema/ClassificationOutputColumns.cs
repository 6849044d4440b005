using Microsoft.ML.Data;
using Microsoft.ML.Shira.Inference.DataViews;
using Microsoft.ML.Shira.Runtime;

namespace Microsoft.ML.Shira.TextClassification.Schema;

/// <summary>
/// The output schema of a text classifier: every input column, then the scores as ML.NET's own classifiers name and
/// annotate them, so the catalog evaluators accept them. Multiclass: Score (vector of float class probabilities,
/// SlotNames = class names) and PredictedLabel (key, KeyValues = the training label's). Binary: Score (float margin),
/// Probability (float) and PredictedLabel (Boolean).
/// </summary>
internal sealed class ClassificationOutputColumns : AppendedOutputColumns
{
    private const string ScoreColumnKind = "ScoreColumnKind";
    private const string ScoreValueKind = "ScoreValueKind";
    private const string SlotNames = "SlotNames";
    private const string Multiclass = "MulticlassClassification";
    private const string Binary = "BinaryClassification";

    private ClassificationOutputColumns(DataViewSchema schema, int inputCount, ShiraClassificationHead head)
        : base(schema, inputCount)
    {
        Head = head;
    }

    /// <summary>The head whose classes the schema describes.</summary>
    public ShiraClassificationHead Head { get; }

    /// <summary>Index of the score column.</summary>
    public int ScoreIndex => InputCount;

    /// <summary>Index of the probability column (binary), else -1.</summary>
    public int ProbabilityIndex => Head.IsBinary ? InputCount + 1 : -1;

    /// <summary>Index of the predicted label column.</summary>
    public int PredictedLabelIndex => Head.IsBinary ? InputCount + 2 : InputCount + 1;

    /// <summary>Builds the output schema for <paramref name="input"/> and the classes of <paramref name="head"/>.</summary>
    public static ClassificationOutputColumns Create(DataViewSchema input, ClassificationColumns names, ShiraClassificationHead head)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(input);
        if (head.IsBinary)
        {
            builder.AddColumn(names.Score, NumberDataViewType.Single, ScoreAnnotations(Binary, "Score", null));
            builder.AddColumn(names.Probability, NumberDataViewType.Single, ScoreAnnotations(Binary, "Probability", null));
            builder.AddColumn(names.PredictedLabel, BooleanDataViewType.Instance);
        }
        else
        {
            var classNames = head.ClassNames ?? Enumerable.Range(0, head.ClassCount).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            builder.AddColumn(names.Score, new VectorDataViewType(NumberDataViewType.Single, head.ClassCount), ScoreAnnotations(Multiclass, "Score", classNames));
            builder.AddColumn(names.PredictedLabel, new KeyDataViewType(typeof(uint), head.ClassCount), KeyValueAnnotations(head));
        }
        return new ClassificationOutputColumns(builder.ToSchema(), input.Count, head);
    }

    /// <summary>The shape-level counterpart of <see cref="Create"/> for <c>IEstimator.GetOutputSchema</c>.</summary>
    public static SchemaShape Shape(SchemaShape input, ClassificationColumns names, bool isBinary, SchemaShape.Column label)
    {
        var columns = input.ToDictionary(c => c.Name);
        var scalar = SchemaShape.Column.VectorKind.Scalar;
        var vector = SchemaShape.Column.VectorKind.Vector;
        var kinds = new List<SchemaShape.Column> { SchemaShapeColumns.Text(ScoreColumnKind, vector: false), SchemaShapeColumns.Text(ScoreValueKind, vector: false) };
        if (isBinary)
        {
            columns[names.Score] = SchemaShapeColumns.Create(names.Score, scalar, NumberDataViewType.Single, false, new SchemaShape(kinds));
            columns[names.Probability] = SchemaShapeColumns.Create(names.Probability, scalar, NumberDataViewType.Single, false, new SchemaShape(kinds));
            columns[names.PredictedLabel] = SchemaShapeColumns.Create(names.PredictedLabel, scalar, BooleanDataViewType.Instance, false);
        }
        else
        {
            SchemaShape.Column[] keyValues = SchemaShapeColumns.TryFind(label.Annotations, KeyValueNames.KeyValues, out var kv) ? [kv] : [];
            columns[names.Score] = SchemaShapeColumns.Create(names.Score, vector, NumberDataViewType.Single, false,
                new SchemaShape(kinds.Append(SchemaShapeColumns.Text(SlotNames, vector: true))));
            columns[names.PredictedLabel] = SchemaShapeColumns.Create(names.PredictedLabel, scalar, NumberDataViewType.UInt32, true, new SchemaShape(keyValues));
        }
        return new SchemaShape(columns.Values);
    }

    private static DataViewSchema.Annotations ScoreAnnotations(string columnKind, string valueKind, IReadOnlyList<string>? slotNames)
    {
        var builder = new DataViewSchema.Annotations.Builder();
        builder.AddPrimitiveValue(ScoreColumnKind, TextDataViewType.Instance, columnKind.AsMemory());
        builder.AddPrimitiveValue(ScoreValueKind, TextDataViewType.Instance, valueKind.AsMemory());
        if (slotNames is not null)
            builder.Add(SlotNames, new VectorDataViewType(TextDataViewType.Instance, slotNames.Count), TextVector(slotNames));
        return builder.ToAnnotations();
    }

    private static DataViewSchema.Annotations? KeyValueAnnotations(ShiraClassificationHead head)
    {
        var builder = new DataViewSchema.Annotations.Builder();
        if (head.LabelAnnotations is { } label && label.Schema.GetColumnOrNull(KeyValueNames.KeyValues) is not null)
            builder.Add(label, name => name == KeyValueNames.KeyValues);
        else if (head.ClassNames is { } names)
            builder.Add(KeyValueNames.KeyValues, new VectorDataViewType(TextDataViewType.Instance, names.Count), TextVector(names));
        else
            return null;
        return builder.ToAnnotations();
    }

    private static ValueGetter<VBuffer<ReadOnlyMemory<char>>> TextVector(IReadOnlyList<string> values) =>
        (ref VBuffer<ReadOnlyMemory<char>> destination) =>
        {
            var editor = VBufferEditor.Create(ref destination, values.Count);
            for (int i = 0; i < values.Count; i++)
                editor.Values[i] = values[i].AsMemory();
            destination = editor.Commit();
        };
}
