using Microsoft.ML.Data;
using Microsoft.ML.Shira.Decoding;
using Microsoft.ML.Shira.TextGeneration.Data;
using Microsoft.ML.Shira.TextGeneration.Inference;
using Microsoft.ML.Shira.TextGeneration.Schema;
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
/// each row is decoded on its own (its own key/value cache), so rows do not influence each other. Every generation
/// (all tokens of one row or prompt) and every perplexity batch is computed by one adapter selection: the one selected
/// when it started; <see cref="Perplexity"/> uses the selection current when it is called for all its batches.</para>
/// <para>Thread safety, lifetime and saving: see <see cref="ShiraTransformer"/>. <see cref="BaseModel"/>,
/// <see cref="ShiraTransformer.Adapters"/>, <see cref="ShiraTransformer.GetAdapter"/>, the column names,
/// <see cref="MaxSequenceLength"/>, <see cref="AppendsEndOfSequence"/> and <see cref="Generation"/> expose everything a
/// saved model needs.</para>
/// </remarks>
public sealed partial class ShiraTextGenerationTransformer : ShiraTransformer
{
    private const string Task = "text generator";
    private readonly GeneratorEngine _engine;
    private readonly GenerationColumns _names;
    private volatile GenerationOptions _generation;

    internal ShiraTextGenerationTransformer(
        MLContext context, GeneratorEngine engine, GenerationColumns names, int batchSize, bool appendsEndOfSequence,
        GenerationOptions generation, GeneratorSelection selection)
        : base(context, engine, batchSize, selection)
    {
        _engine = engine;
        _names = names;
        AppendsEndOfSequence = appendsEndOfSequence;
        _generation = generation;
    }

    /// <summary>The base model every adapter of this transformer was trained on.</summary>
    public ShiraDecoderBaseModel BaseModel => (ShiraDecoderBaseModel)_engine.BaseModel;

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

    /// <summary>
    /// How <see cref="Transform"/> and prediction engines generate: max new tokens, greedy or sampling (temperature,
    /// top-k, top-p, seed), stop tokens and stop strings. Each row reads the value current when its generation starts.
    /// With sampling and a <see cref="GenerationOptions.Seed"/>, every row is sampled with that seed (reproducible per prompt).
    /// Setting it stores a copy; reading it returns a copy.
    /// </summary>
    /// <exception cref="ArgumentException">The options are invalid (on set).</exception>
    public GenerationOptions Generation
    {
        get => _generation.Copy();
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            var copy = value.Copy();
            copy.Validate();
            _generation = copy;
        }
    }

    private protected override string TaskName => Task;

    /// <summary>The input schema plus the generated-text column.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The prompt column is missing or not text.</exception>
    public override DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => CreateContext(inputSchema).Outputs.Schema;

    /// <summary>
    /// Returns a lazy view of <paramref name="input"/> with the generated text added, generated row by row as cursors
    /// read it, with the adapters and <see cref="Generation"/> options current when each row starts.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The prompt column is missing or not text.</exception>
    public override IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new GenerationDataView(input, CreateContext(input.Schema));
    }

    /// <summary>A row-to-row mapper generating for one row at a time (used by <c>PredictionEngine</c>).</summary>
    public override IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => new GenerationRowMapper(inputSchema, CreateContext(inputSchema));

    /// <summary>
    /// Generates a continuation of one prompt with the active adapters: <paramref name="options"/> (default
    /// <see cref="Generation"/>), streaming decoded pieces to <paramref name="onText"/>.
    /// </summary>
    /// <param name="prompt">The prompt; empty generates from BOS alone.</param>
    /// <param name="options">Decoding options; null uses <see cref="Generation"/>.</param>
    /// <param name="onText">Receives each newly decoded piece of text; it runs under the read lock, so it must not switch adapters.</param>
    /// <param name="cancellationToken">Checked before every token.</param>
    /// <exception cref="ArgumentException"><paramref name="options"/> are invalid.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public GenerationResult Generate(string prompt, GenerationOptions? options = null, Action<string>? onText = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ThrowIfDisposed();
        var decoding = options?.Copy() ?? _generation;
        decoding.Validate();
        return _engine.Generate(() => Current, prompt, decoding, onText, cancellationToken);
    }

    /// <summary>
    /// Perplexity of the active adapters on <paramref name="data"/>: exp of the mean next-token cross-entropy over every
    /// target token, tokenized exactly as in training (plain text: all tokens of <see cref="TextColumnName"/> in windows of
    /// <see cref="MaxSequenceLength"/>; prompt/response: the response tokens only). Lower is better. Compare adapters with
    /// <see cref="ShiraTransformer.SwitchTo"/>, and the base model with <see cref="SwitchToBaseModel"/>.
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
        var selection = Current;
        _engine.Check(selection);
        var sequences = GenerationRows.Read(data, _names, _engine.Sequences, "evaluation", log: null, cancellationToken);
        var batches = EpochBatches<TokenSequence, SequenceBatch>.InOrder(sequences, BatchSize, SequenceBatch.Create);
        return PerplexityMeter.FromMeanLoss(PerplexityMeter.MeanLoss(batches, batch => _engine.BatchLoss(selection, batch), cancellationToken));
    }

    /// <summary>The message of the error for a disposed generator, as its engine raises it.</summary>
    internal static string DisposedMessage => DisposedMessageFor(Task);

    private GenerationContext CreateContext(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        ThrowIfDisposed();
        var prompt = GenerationInputColumns.RequirePrompt(inputSchema, _names);
        var outputs = GenerationOutputColumns.Create(inputSchema, _names);
        return new GenerationContext(_engine, () => Current, () => _generation, outputs, prompt);
    }
}
