using Microsoft.ML.Shira.TextClassification.Data;
using Microsoft.ML.Shira.TextClassification.Schema;

namespace Microsoft.ML.Shira.TextClassification.Inference;

/// <summary>Everything a cursor or row needs to score: the engine, the transformer's current selection, the output schema and the text columns.</summary>
internal sealed class ClassificationContext
{
    private readonly Func<ClassifierSelection> _selection;

    public ClassificationContext(ClassifierEngine engine, Func<ClassifierSelection> selection, ClassificationOutputColumns outputs, DataViewSchema input, ClassificationColumns names, int batchSize)
    {
        Engine = engine;
        _selection = selection;
        Outputs = outputs;
        BatchSize = batchSize;
        First = input[names.Sentence1];
        Second = names.Sentence2 is null ? null : input[names.Sentence2];
    }

    public ClassifierEngine Engine { get; }

    public ClassificationOutputColumns Outputs { get; }

    public int BatchSize { get; }

    /// <summary>The first text column of the input.</summary>
    public DataViewSchema.Column First { get; }

    /// <summary>The second text column of the input, for pairs.</summary>
    public DataViewSchema.Column? Second { get; }

    public int ClassCount => Outputs.Head.ClassCount;

    /// <summary>The input columns the outputs are computed from.</summary>
    public IEnumerable<DataViewSchema.Column> TextColumns => Second is { } second ? [First, second] : [First];

    /// <summary>Reads the texts of <paramref name="row"/>'s current row (the row must carry the text columns).</summary>
    public RowTexts TextsOf(DataViewRow row) => new(row, row.Schema[First.Index], Second is { } second ? row.Schema[second.Index] : null);

    /// <summary>Classifies a batch with the transformer's adapters as they are when the batch starts; returns logits <c>[rows, classes]</c>.</summary>
    public float[] Score(IReadOnlyList<string> first, IReadOnlyList<string>? second) => Engine.Score(_selection, Outputs.Head, first, second);

    /// <summary>Which output columns (by offset after the input columns) are among <paramref name="columns"/>.</summary>
    public bool[] ActiveOutputs(IEnumerable<DataViewSchema.Column> columns)
    {
        var active = new bool[Outputs.Schema.Count - Outputs.InputCount];
        foreach (var column in columns)
        {
            if (Outputs.IsOutput(column.Index))
                active[column.Index - Outputs.InputCount] = true;
        }
        return active;
    }
}
