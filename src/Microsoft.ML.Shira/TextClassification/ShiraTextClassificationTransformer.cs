using Microsoft.ML.Data;
using Microsoft.ML.Shira.TextClassification.Inference;
using Microsoft.ML.Shira.TextClassification.Schema;

namespace Microsoft.ML.Shira.TextClassification;

/// <summary>
/// A fine-tuned SHiRA text classifier: one shared base encoder with named sparse adapters fused into its weights (no
/// inference overhead), each adapter with its own classifier head. <see cref="Transform"/> passes every input column
/// through and adds the predicted label and scores, named and annotated like ML.NET's own classifiers so
/// <c>mlContext.MulticlassClassification.Evaluate</c> / <c>mlContext.BinaryClassification.Evaluate</c> and
/// <c>PredictionEngine</c> work unchanged.
/// </summary>
/// <remarks>
/// <para>Outputs for a key-typed label: <c>Score</c> (vector of float class probabilities, <c>SlotNames</c> = class
/// names) and <c>PredictedLabel</c> (key, <c>KeyValues</c> copied from the training label). For a Boolean label:
/// <c>Score</c> (float margin), <c>Probability</c> (float) and <c>PredictedLabel</c> (Boolean).</para>
/// <para>Empty text is scored as the encoder sees it (<c>[CLS] [SEP]</c>); only training rejects it.</para>
/// <para>Batches: <see cref="Transform"/> scores <see cref="ShiraTransformer.BatchSize"/> rows per forward pass; a
/// <c>PredictionEngine</c> call is a batch of one row. Each batch is scored entirely by the adapters and head selected
/// when it starts, so rows of a cursor that cross a switch are scored partly by the old and partly by the new adapter,
/// batch by batch. If the new head has other labels than the head a data view or prediction engine was created with,
/// its next batch throws <see cref="InvalidOperationException"/>: create it again.</para>
/// <para>Thread safety, lifetime and saving: see <see cref="ShiraTransformer"/>. <see cref="ShiraTransformer.Adapters"/>,
/// <see cref="ShiraTransformer.GetAdapter"/> and <see cref="GetHead"/> expose everything a saved model needs.</para>
/// </remarks>
public sealed partial class ShiraTextClassificationTransformer : ShiraTransformer
{
    private const string Task = "text classifier";
    private readonly ClassifierEngine _engine;
    private readonly ClassificationColumns _names;

    internal ShiraTextClassificationTransformer(MLContext context, ClassifierEngine engine, ClassificationColumns names, int batchSize, ClassifierSelection selection)
        : base(context, engine, batchSize, selection)
    {
        _engine = engine;
        _names = names;
    }

    /// <summary>The base model every adapter of this transformer was trained on.</summary>
    public ShiraEncoderBaseModel BaseModel => (ShiraEncoderBaseModel)_engine.BaseModel;

    /// <summary>Label column (read only to check that evaluated data has the trained classes).</summary>
    public string LabelColumnName => _names.Label;

    /// <summary>Text column.</summary>
    public string Sentence1ColumnName => _names.Sentence1;

    /// <summary>Second text column of sentence-pair tasks, or null.</summary>
    public string? Sentence2ColumnName => _names.Sentence2;

    /// <summary>Output column of the predicted label.</summary>
    public string PredictedLabelColumnName => _names.PredictedLabel;

    /// <summary>Output score column.</summary>
    public string ScoreColumnName => _names.Score;

    /// <summary>Output probability column (binary heads only).</summary>
    public string ProbabilityColumnName => _names.Probability;

    /// <summary>Longest input in tokens; longer texts are truncated.</summary>
    public int MaxSequenceLength => _engine.Tokenizer.MaxLength;

    private protected override string TaskName => Task;

    /// <summary>The input schema plus the output columns of the active head.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A text column is missing or not text, or the label column has classes the head was not trained on.</exception>
    public override DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => CreateContext(inputSchema).Outputs.Schema;

    /// <summary>
    /// Returns a lazy view of <paramref name="input"/> with the classifier outputs added, computed in batches of
    /// <see cref="ShiraTransformer.BatchSize"/> rows as cursors reach them, by the adapters selected when each batch starts.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The input columns do not fit (see <see cref="GetOutputSchema"/>).</exception>
    public override IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new ClassificationDataView(input, CreateContext(input.Schema));
    }

    /// <summary>A row-to-row mapper scoring one row at a time (used by <c>PredictionEngine</c>).</summary>
    public override IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => new ClassificationRowMapper(inputSchema, CreateContext(inputSchema));

    /// <summary>The message of the error for a disposed classifier, as its engine raises it.</summary>
    internal static string DisposedMessage => DisposedMessageFor(Task);

    private ClassificationContext CreateContext(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        ThrowIfDisposed();
        var selection = Current;
        var head = _engine.GetHead(selection.Head);
        ClassificationInputColumns.RequireTexts(inputSchema, _names);
        ClassificationInputColumns.CheckLabelMatchesHead(inputSchema, _names.Label, head, selection.Head);
        var outputs = ClassificationOutputColumns.Create(inputSchema, _names, head);
        return new ClassificationContext(_engine, () => Current, outputs, inputSchema, _names, BatchSize);
    }
}
