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
/// <para>Thread safety: see <see cref="SwitchTo"/>.</para>
/// <para>Lifetime: dispose the transformer to release its TorchSharp memory. Views made by
/// <c>mlContext.Shira().SwitchAdapter</c>/<c>FuseAdapters</c> share the model; the last one disposed releases it. As for
/// ML.NET's own TorchSharp transformers, a <c>PredictionEngine</c> created with default options owns its transformer and
/// disposes it with itself: pass <c>new PredictionEngineOptions { OwnsTransformer = false }</c> to keep using the model
/// (for example with several engines).</para>
/// <para>Saving: <c>mlContext.Model.Save</c> cannot hold TorchSharp weights and throws; SHiRA models are saved with
/// <c>mlContext.Shira().Model.Save</c>. <see cref="BaseModelId"/>, <see cref="Adapters"/>, <see cref="GetAdapter"/>
/// and <see cref="GetHead"/> expose everything a saved model needs.</para>
/// </remarks>
public sealed partial class ShiraTextClassificationTransformer : ITransformer, IDisposable
{
    private readonly MLContext _context;
    private readonly ClassifierEngine _engine;
    private readonly ColumnNames _names;
    private volatile AdapterSelection _selection;
    private int _disposed;

    internal ShiraTextClassificationTransformer(MLContext context, ClassifierEngine engine, ColumnNames names, int batchSize, AdapterSelection selection)
    {
        _context = context;
        _engine = engine;
        _names = names;
        BatchSize = batchSize;
        _selection = selection;
    }

    /// <summary>The base model every adapter of this transformer was trained on.</summary>
    public ShiraBaseModel BaseModel => _engine.BaseModel;

    /// <summary>Hugging Face id of the base model.</summary>
    public string BaseModelId => _engine.BaseModel.Id;

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

    /// <summary>Rows per forward pass in <see cref="Transform"/>.</summary>
    public int BatchSize { get; }

    /// <summary>Always true: the transformer maps rows one by one (it supports <c>PredictionEngine</c>).</summary>
    public bool IsRowToRowMapper => true;

    internal ClassifierEngine Engine => _engine;

    internal ColumnNames Names => _names;

    internal MLContext Context => _context;

    /// <summary>The input schema plus the output columns of the active head.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A text column is missing or not text, or the label column has classes the head was not trained on.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => CreateScoring(inputSchema).Outputs.Schema;

    /// <summary>
    /// Returns a lazy view of <paramref name="input"/> with the classifier outputs added, computed in batches of
    /// <see cref="BatchSize"/> rows as cursors reach them, by the adapters this transformer has selected when each batch starts.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The input columns do not fit (see <see cref="GetOutputSchema"/>).</exception>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new ClassificationDataView(input, CreateScoring(input.Schema));
    }

    /// <summary>A row-to-row mapper scoring one row at a time (used by <c>PredictionEngine</c>).</summary>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => new ClassificationRowMapper(inputSchema, CreateScoring(inputSchema));

    /// <summary>Always throws: ML.NET's model format cannot hold the TorchSharp weights, and a model file without them would be useless.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    void ICanSaveModel.Save(ModelSaveContext ctx) =>
        throw new NotSupportedException(
            $"{nameof(ShiraTextClassificationTransformer)} cannot be saved with mlContext.Model.Save: ML.NET's model format has no place for its " +
            "TorchSharp base model and SHiRA adapter weights, and a model saved without them could not predict. " +
            "Save it with mlContext.Shira().Model.Save(...) instead.");

    /// <summary>Releases this transformer's share of the TorchSharp model; the last sharing transformer frees it.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
            _engine.Release();
    }

    /// <inheritdoc />
    public override string ToString() => $"SHiRA text classifier on {BaseModelId}: {_selection}; adapters {string.Join(", ", Adapters)}.";

    internal const string DisposedMessage =
        "This SHiRA text classifier has been disposed. A PredictionEngine created with default options owns its transformer and disposes it " +
        "with itself; create engines with new PredictionEngineOptions { OwnsTransformer = false } to keep using the model.";

    internal void ThrowIfDisposed()
    {
        if (_disposed != 0)
            throw new ObjectDisposedException(nameof(ShiraTextClassificationTransformer), DisposedMessage);
    }

    private ScoringContext CreateScoring(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        ThrowIfDisposed();
        var selection = _selection;
        var head = _engine.GetHead(selection.Head);
        InputColumns.RequireText(inputSchema, _names.Sentence1, "text (Sentence1)");
        if (_names.Sentence2 is not null)
            InputColumns.RequireText(inputSchema, _names.Sentence2, "second text (Sentence2)");
        InputColumns.CheckLabelMatchesHead(inputSchema, _names.Label, head, selection.Head);
        var outputs = OutputColumns.Create(inputSchema, _names, head);
        return new ScoringContext(_engine, () => _selection, outputs, inputSchema, _names, BatchSize);
    }
}
