using Microsoft.ML.Shira.Checkpoints.HuggingFace;
using Microsoft.ML.Shira.Models.StateDict;
using Microsoft.ML.Shira.Runtime;

namespace Microsoft.ML.Shira.Models.Bert;

/// <summary>
/// A BERT-family encoder (Hugging Face's <c>BertModel</c>, with its pooler when <see cref="BertConfig.AddPoolingLayer"/>) built from TorchSharp modules whose
/// parameter names are exactly Hugging Face's: <c>embeddings.word_embeddings.weight</c>,
/// <c>encoder.layer.0.attention.self.query.weight</c>, … . Returns the last hidden state; see
/// <see cref="SentencePooling"/> for sentence embeddings.
/// </summary>
internal sealed class BertModel : nn.Module<Tensor, Tensor, Tensor?, Tensor>, ISentenceEncoder
{
#pragma warning disable IDE1006 // Naming styles
    private readonly BertEmbeddings embeddings;
    private readonly BertEncoder encoder;
    private readonly BertPooler? pooler;
#pragma warning restore IDE1006

    /// <summary>
    /// Creates a randomly initialized encoder (call <see cref="LoadWeights"/> to load a checkpoint) with
    /// <paramref name="dtype"/> weights allocated on <paramref name="device"/> (the CPU when null).
    /// </summary>
    /// <exception cref="ArgumentException">The configuration is invalid.</exception>
    public BertModel(BertConfig config, ScalarType dtype = ScalarType.Float32, Device? device = null) : base(nameof(BertModel))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        embeddings = new BertEmbeddings(config, dtype, device);
        encoder = new BertEncoder(config, dtype, device);
        pooler = config.AddPoolingLayer ? new BertPooler(config, dtype, device) : null;
        RegisterComponents();
    }

    /// <summary>The hyper-parameters the encoder was built with.</summary>
    public BertConfig Config { get; }

    /// <summary>The embedding block (<c>embeddings</c>).</summary>
    public BertEmbeddings Embeddings => embeddings;

    /// <summary>The transformer stack (<c>encoder</c>).</summary>
    public BertEncoder Encoder => encoder;

    /// <summary>
    /// Hugging Face's <c>pooler_output</c>: <c>tanh(pooler.dense(h[:, 0]))</c> of the last hidden state
    /// <paramref name="lastHiddenState"/> (<c>[B, T, hidden]</c> → <c>[B, hidden]</c>).
    /// </summary>
    /// <exception cref="InvalidOperationException">The encoder has no pooler (its checkpoint had none).</exception>
    public Tensor Pool(Tensor lastHiddenState) =>
        (pooler ?? throw new InvalidOperationException("This encoder has no pooler: its checkpoint had no 'pooler.dense' weights (BertConfig.AddPoolingLayer is false).")).call(lastHiddenState);

    /// <summary>Encodes a batch of token ids.</summary>
    /// <param name="inputIds">Token ids, int64 <c>[B, T]</c>.</param>
    /// <param name="attentionMask">1 for real tokens, 0 for padding, <c>[B, T]</c> (any numeric or bool dtype).</param>
    /// <param name="tokenTypeIds">Segment ids, int64 <c>[B, T]</c>; all zeros when null.</param>
    /// <returns>The last hidden state, <c>[B, T, hidden]</c>.</returns>
    public override Tensor forward(Tensor inputIds, Tensor attentionMask, Tensor? tokenTypeIds)
    {
        ArgumentNullException.ThrowIfNull(inputIds);
        ArgumentNullException.ThrowIfNull(attentionMask);
        if (!attentionMask.shape.AsSpan().SequenceEqual(inputIds.shape))
            throw new ArgumentException(
                $"attention_mask shape {StateDictLoader.FormatShape(attentionMask.shape)} differs from input_ids shape {StateDictLoader.FormatShape(inputIds.shape)}.",
                nameof(attentionMask));
        if (tokenTypeIds is not null && !tokenTypeIds.shape.AsSpan().SequenceEqual(inputIds.shape))
            throw new ArgumentException(
                $"token_type_ids shape {StateDictLoader.FormatShape(tokenTypeIds.shape)} differs from input_ids shape {StateDictLoader.FormatShape(inputIds.shape)}.",
                nameof(tokenTypeIds));

        using var scope = NewDisposeScope();
        var hidden = embeddings.call(inputIds, tokenTypeIds);
        var bias = AttentionBias(attentionMask, hidden.dtype);
        return encoder.call(hidden, bias).MoveToOuterDisposeScope();
    }

    /// <summary>Encodes a batch of single sentences (token type ids all zero).</summary>
    /// <param name="inputIds">Token ids, int64 <c>[B, T]</c>.</param>
    /// <param name="attentionMask">1 for real tokens, 0 for padding, <c>[B, T]</c>.</param>
    /// <returns>The last hidden state, <c>[B, T, hidden]</c>.</returns>
    public Tensor forward(Tensor inputIds, Tensor attentionMask) => call(inputIds, attentionMask, null);

    /// <summary>
    /// Turns a <c>[B, T]</c> 1/0 mask into the additive attention-score bias <c>[B, 1, 1, T]</c>:
    /// 0 where the key is visible and the lowest finite value of <paramref name="dtype"/> where it is padding.
    /// </summary>
    public static Tensor AttentionBias(Tensor attentionMask, ScalarType dtype)
    {
        ArgumentNullException.ThrowIfNull(attentionMask);
        using var scope = NewDisposeScope();
        var visible = attentionMask.to_type(dtype).unsqueeze(1).unsqueeze(2);
        return visible.neg().PlusInPlace(1.0).TimesInPlace(finfo(dtype).min).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Copies a Hugging Face-named state dict into the encoder. Every parameter must be present with the same shape
    /// (dtype and device are converted). Tensors a Hugging Face <c>BertModel</c> checkpoint has but this encoder
    /// deliberately lacks (<c>pooler.*</c> when it was built without a pooler, the <c>embeddings.position_ids</c> /
    /// <c>embeddings.token_type_ids</c> buffers) are ignored; any other extra tensor is an error. Nothing is changed when an error is thrown.
    /// The caller keeps ownership of the given tensors.
    /// </summary>
    /// <exception cref="ShiraFormatException">Names every missing, unexpected or shape-mismatched tensor.</exception>
    public void LoadWeights(IReadOnlyDictionary<string, Tensor> stateDict)
    {
        ArgumentNullException.ThrowIfNull(stateDict);
        StateDictLoader.Load(this, stateDict, IsSkipped);
    }

    /// <inheritdoc />
    public string ModelType => Config.ModelType;

    /// <inheritdoc />
    public int HiddenSize => Config.HiddenSize;

    /// <inheritdoc />
    public IReadOnlyList<string> ModulesOutsideHiddenState => Config.AddPoolingLayer ? ["pooler.dense"] : [];

    /// <inheritdoc />
    public IReadOnlyList<string> ProjectionModules => ["query", "key", "value", "dense"];

    /// <inheritdoc />
    /// <remarks>RoBERTa's positions start after the padding id, so two of its table's rows are never reached.</remarks>
    public int MaxTokens => Config.PositionsAfterPadding ? Config.MaxPositionEmbeddings - Config.PadTokenId - 1 : Config.MaxPositionEmbeddings;

    /// <inheritdoc />
    public Tensor Encode(Tensor inputIds, Tensor attentionMask, Tensor tokenTypeIds) => call(inputIds, attentionMask, tokenTypeIds);

    /// <inheritdoc />
    public nn.Module Module => this;

    /// <inheritdoc />
    public ScalarType DType => embeddings.parameters().First().dtype;

    /// <inheritdoc />
    public string ToConfigJson() => Config.ToJson();

    /// <inheritdoc />
    bool IHuggingFaceModel.IsIgnoredCheckpointTensor(string name) =>
        IsSkipped(name) || name.StartsWith("cls.", StringComparison.Ordinal) || name.StartsWith("classifier.", StringComparison.Ordinal);

    /// <summary>Task checkpoints (<c>BertForSequenceClassification</c>, <c>RobertaForSequenceClassification</c>, …) prefix the encoder's tensors with <c>bert.</c> or <c>roberta.</c>.</summary>
    string IHuggingFaceModel.MapCheckpointTensorName(string name) => EncoderTensorName(name);

    /// <summary>The encoder's name for a checkpoint tensor: the <c>bert.</c> or <c>roberta.</c> prefix of task checkpoints removed.</summary>
    public static string EncoderTensorName(string name) =>
        name.StartsWith("bert.", StringComparison.Ordinal) ? name["bert.".Length..]
        : name.StartsWith("roberta.", StringComparison.Ordinal) ? name["roberta.".Length..]
        : name;

    /// <summary>
    /// True for checkpoint tensors that <see cref="LoadWeights"/> skips silently on an encoder without a pooler
    /// (<c>pooler.*</c> and the <c>position_ids</c> / <c>token_type_ids</c> buffers).
    /// </summary>
    public static bool IsIgnorableCheckpointTensor(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name is "embeddings.position_ids" or "embeddings.token_type_ids" || name.StartsWith("pooler.", StringComparison.Ordinal);
    }

    private bool IsSkipped(string name) =>
        IsIgnorableCheckpointTensor(name) && !(pooler is not null && name.StartsWith("pooler.", StringComparison.Ordinal));

    /// <summary>
    /// Every parameter of an encoder built from <paramref name="config"/>, by Hugging Face name, with its shape
    /// (Linear weights are <c>[out, in]</c>), in module order.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, long[]>> ParameterShapes(BertConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        long h = config.HiddenSize, i = config.IntermediateSize;
        var list = new List<KeyValuePair<string, long[]>>
        {
            new("embeddings.word_embeddings.weight", [config.VocabSize, h]),
            new("embeddings.position_embeddings.weight", [config.MaxPositionEmbeddings, h]),
            new("embeddings.token_type_embeddings.weight", [config.TypeVocabSize, h]),
            new("embeddings.LayerNorm.weight", [h]),
            new("embeddings.LayerNorm.bias", [h]),
        };
        for (int n = 0; n < config.NumHiddenLayers; n++)
        {
            string p = $"encoder.layer.{n}.";
            foreach (var proj in new[] { "query", "key", "value" })
            {
                list.Add(new($"{p}attention.self.{proj}.weight", [h, h]));
                list.Add(new($"{p}attention.self.{proj}.bias", [h]));
            }
            list.Add(new($"{p}attention.output.dense.weight", [h, h]));
            list.Add(new($"{p}attention.output.dense.bias", [h]));
            list.Add(new($"{p}attention.output.LayerNorm.weight", [h]));
            list.Add(new($"{p}attention.output.LayerNorm.bias", [h]));
            list.Add(new($"{p}intermediate.dense.weight", [i, h]));
            list.Add(new($"{p}intermediate.dense.bias", [i]));
            list.Add(new($"{p}output.dense.weight", [h, i]));
            list.Add(new($"{p}output.dense.bias", [h]));
            list.Add(new($"{p}output.LayerNorm.weight", [h]));
            list.Add(new($"{p}output.LayerNorm.bias", [h]));
        }
        if (config.AddPoolingLayer)
        {
            list.Add(new("pooler.dense.weight", [h, h]));
            list.Add(new("pooler.dense.bias", [h]));
        }
        return list;
    }
}
