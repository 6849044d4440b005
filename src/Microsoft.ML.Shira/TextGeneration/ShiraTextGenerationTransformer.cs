using Microsoft.ML.Data;
using Microsoft.ML.Shira.Decoding;
using Microsoft.ML.Shira.TextGeneration.Inference;
using Microsoft.ML.Shira.TextGeneration.Schema;
using Microsoft.ML.Shira.TextGeneration.Training;
using Microsoft.ML.Shira.Training;

namespace Microsoft.ML.Shira.TextGeneration;

/// <summary>
/// A fine-tuned SHiRA text generator: one shared base decoder with named sparse adapters fused into its weights (no
/// inference overhead). <see cref="Transform"/> passes every input column through and adds the text generated from
/// the prompt column with <see cref="Generation"/>; <c>PredictionEngine</c> works unchanged.
/// </summary>
/// <remarks>
/// <para>Prompts come from <see cref="PromptColumnName"/> (the training's prompt column, or its text column after
/// plain-text training). The output column holds the continuation only, without the prompt. An empty prompt generates
/// from BOS alone (an unconditional sample).</para>
/// <para>Generation is lazy and per row: a row's text is generated when a cursor first reads its output, once, and
/// each row is decoded on its own (its own key/value cache), so rows do not influence each other.</para>
/// <para>Thread safety: see <see cref="SwitchTo"/>.</para>
/// <para>Lifetime: dispose the transformer to release its TorchSharp memory. Views made by
/// <c>mlContext.Shira().SwitchAdapter</c>/<c>FuseAdapters</c> share the model; the last one disposed releases it. A
/// <c>PredictionEngine</c> created with default options owns its transformer and disposes it with itself: pass
/// <c>new PredictionEngineOptions { OwnsTransformer = false }</c> to keep using the model.</para>
/// <para>Saving: <c>mlContext.Model.Save</c> cannot hold TorchSharp weights and throws; SHiRA models are saved with
/// <c>mlContext.Shira().Model.Save</c>. <see cref="BaseModel"/>, <see cref="Adapters"/>, <see cref="GetAdapter"/>,
/// the column names, <see cref="MaxSequenceLength"/>, <see cref="AppendsEndOfSequence"/> and <see cref="Generation"/>
/// expose everything a saved model needs.</para>
/// </remarks>
public sealed partial class ShiraTextGenerationTransformer : ITransformer, IDisposable
{
    private readonly MLContext _context;
    private readonly GeneratorEngine _engine;
    private readonly GenerationColumnNames _names;
    private volatile DecoderAdapterSelection _selection;
    private volatile GenerationOptions _generation;
    private int _disposed;

    internal ShiraTextGenerationTransformer(
        MLContext context, GeneratorEngine engine, GenerationColumnNames names, int batchSize, bool appendsEndOfSequence,
        GenerationOptions generation, DecoderAdapterSelection selection)
    {
        _context = context;
        _engine = engine;
        _names = names;
        BatchSize = batchSize;
        AppendsEndOfSequence = appendsEndOfSequence;
        _generation = generation;
        _selection = selection;
    }

    /// <summary>The base model every adapter of this transformer was trained on.</summary>
    public ShiraDecoderBaseModel BaseModel => _engine.BaseModel;

    /// <summary>Id of the base model (<c>stories260K</c>, a Hugging Face id, or a folder path).</summary>
    public string BaseModelId => _engine.BaseModel.Id;

    /// <summary>Plain-text training column (read by <see cref="Perplexity"/> when <see cref="ResponseColumnName"/> is null).</summary>
    public string TextColumnName => _names.Text;

    /// <summary>The column prompts are read from at inference.</summary>
    public string PromptColumnName => _names.InferencePrompt;

    /// <summary>Response column of prompt/response training, or null after plain-text training.</summary>
    public string? ResponseColumnName => _names.Response;

    /// <summary>Output column of the generated text.</summary>
    public string OutputColumnName => _names.Output;

    /// <summary>Longest training sequence in tokens (also the window length of <see cref="Perplexity"/>).</summary>
    public int MaxSequenceLength => _engine.Sequences.MaxLength;

    /// <summary>True when training appended the end-of-sequence token after each text or response.</summary>
    public bool AppendsEndOfSequence { get; }

    /// <summary>Sequences per batch in <see cref="Perplexity"/>.</summary>
    public int BatchSize { get; }

    /// <summary>
    /// How <see cref="Transform"/> and prediction engines generate: max new tokens, greedy or sampling (temperature,
    /// top-k, top-p, seed), stop tokens and stop strings. Each row reads the value current when its generation starts.
    /// With sampling and a <see cref="GenerationOptions.Seed"/>, every row is sampled with that seed (reproducible per prompt).
    /// </summary>
    /// <exception cref="ArgumentException">The options are invalid (on set).</exception>
    public GenerationOptions Generation
    {
        get => _generation;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            value.Validate();
            _generation = value;
        }
    }

    /// <summary>Always true: the transformer maps rows one by one (it supports <c>PredictionEngine</c>).</summary>
    public bool IsRowToRowMapper => true;

    /// <summary>The input schema plus the generated-text column.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The prompt column is missing or not text.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => CreateContext(inputSchema).Outputs.Schema;

    /// <summary>
    /// Returns a lazy view of <paramref name="input"/> with the generated text added, generated row by row as cursors
    /// read it, with the adapters and <see cref="Generation"/> options current when each row starts.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The prompt column is missing or not text.</exception>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new GenerationDataView(input, CreateContext(input.Schema));
    }

    /// <summary>A row-to-row mapper generating for one row at a time (used by <c>PredictionEngine</c>).</summary>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => new GenerationRowMapper(inputSchema, CreateContext(inputSchema));

    /// <summary>
    /// Generates a continuation of one prompt with the active adapters: <paramref name="options"/> (default
    /// <see cref="Generation"/>), streaming decoded pieces to <paramref name="onText"/>.
    /// </summary>
    /// <param name="prompt">The prompt; empty generates from BOS alone.</param>
    /// <param name="options">Decoding options; null uses <see cref="Generation"/>.</param>
    /// <param name="onText">Receives each newly decoded piece of text; it runs under the read lock, so it must not switch adapters.</param>
    /// <param name="cancellationToken">Checked before every token.</param>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public GenerationResult Generate(string prompt, GenerationOptions? options = null, Action<string>? onText = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ThrowIfDisposed();
        return _engine.Generate(_selection, prompt, options ?? _generation, onText, cancellationToken);
    }

    /// <summary>
    /// Perplexity of the active adapters on <paramref name="data"/>: exp of the mean next-token cross-entropy over every
    /// target token, tokenized exactly as in training (plain text: all tokens of <see cref="TextColumnName"/> in windows of
    /// <see cref="MaxSequenceLength"/>; prompt/response: the response tokens only). Lower is better. Compare adapters with
    /// <see cref="SwitchTo"/>, and the base model with <see cref="SwitchToBaseModel"/>.
    /// </summary>
    /// <param name="data">Data with the training columns.</param>
    /// <param name="cancellationToken">Checked before every batch.</param>
    /// <exception cref="ArgumentOutOfRangeException">A training column is missing or not text.</exception>
    /// <exception cref="InvalidOperationException">No row has a token to predict.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public double Perplexity(IDataView data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ThrowIfDisposed();
        var selection = _selection;
        _engine.Check(selection);
        var sequences = GenerationRows.Read(data, _names, _engine.Sequences, "evaluation", log: null, cancellationToken);
        var batches = EpochBatches<TokenSequence, SequenceBatch>.InOrder(sequences, BatchSize, SequenceBatch.Create);
        return PerplexityMeter.FromMeanLoss(PerplexityMeter.MeanLoss(batches, batch => _engine.BatchLoss(selection, batch), cancellationToken));
    }

    /// <summary>Always throws: ML.NET's model format cannot hold the TorchSharp weights, and a model file without them would be useless.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    void ICanSaveModel.Save(ModelSaveContext ctx) =>
        throw new NotSupportedException(
            $"{nameof(ShiraTextGenerationTransformer)} cannot be saved with mlContext.Model.Save: ML.NET's model format has no place for its " +
            "TorchSharp base model and SHiRA adapter weights, and a model saved without them could not generate. " +
            "Save it with mlContext.Shira().Model.Save(...) instead.");

    /// <summary>Releases this transformer's share of the TorchSharp model; the last sharing transformer frees it.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
            _engine.Release();
    }

    /// <inheritdoc />
    public override string ToString() => $"SHiRA text generator on {BaseModelId}: {_selection}; adapters {string.Join(", ", Adapters)}.";

    internal const string DisposedMessage =
        "This SHiRA text generator has been disposed. A PredictionEngine created with default options owns its transformer and disposes it " +
        "with itself; create engines with new PredictionEngineOptions { OwnsTransformer = false } to keep using the model.";

    internal void ThrowIfDisposed()
    {
        if (_disposed != 0)
            throw new ObjectDisposedException(nameof(ShiraTextGenerationTransformer), DisposedMessage);
    }

    private GenerationContext CreateContext(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        ThrowIfDisposed();
        var prompt = GenerationInputColumns.RequirePrompt(inputSchema, _names);
        var outputs = GenerationOutputColumns.Create(inputSchema, _names);
        return new GenerationContext(_engine, () => _selection, () => _generation, outputs, prompt);
    }
}
