using Microsoft.ML.Shira.Models.Bert;
using Microsoft.ML.Shira.Runtime;
using TorchSharp.Modules;

namespace Microsoft.ML.Shira.Models.DistilBert;

/// <summary>
/// Hugging Face's <c>DistilBertModel</c> with its module names (<c>embeddings</c>, <c>transformer.layer.N.attention.q_lin</c>,
/// <c>…ffn.lin1</c>, <c>sa_layer_norm</c>, <c>output_layer_norm</c>), so that checkpoints and PEFT adapters load as
/// written: word and learned position embeddings (no token types), post-norm blocks. Returns the last hidden state.
/// </summary>
internal sealed class DistilBertModel : nn.Module<Tensor, Tensor, Tensor>, ISentenceEncoder
{
#pragma warning disable IDE1006 // Field names are the Hugging Face module names (RegisterComponents uses them).
    private readonly DistilBertEmbeddings embeddings;
    private readonly DistilBertTransformer transformer;
#pragma warning restore IDE1006

    /// <summary>Creates a randomly initialized encoder with <paramref name="dtype"/> weights on <paramref name="device"/> (the CPU when null).</summary>
    public DistilBertModel(DistilBertConfig config, ScalarType dtype = ScalarType.Float32, Device? device = null) : base(nameof(DistilBertModel))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        embeddings = new DistilBertEmbeddings(config, dtype, device);
        transformer = new DistilBertTransformer(config, dtype, device);
        RegisterComponents();
    }

    /// <summary>The configuration.</summary>
    public DistilBertConfig Config { get; }

    /// <summary>Encodes token ids <c>[B, T]</c> with a 1/0 padding mask <c>[B, T]</c> into <c>[B, T, dim]</c>.</summary>
    public override Tensor forward(Tensor inputIds, Tensor attentionMask)
    {
        ArgumentNullException.ThrowIfNull(inputIds);
        ArgumentNullException.ThrowIfNull(attentionMask);
        using var scope = NewDisposeScope();
        var hidden = embeddings.call(inputIds);
        return transformer.call(hidden, BertModel.AttentionBias(attentionMask, hidden.dtype)).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public string ModelType => DistilBertConfig.ModelType;

    /// <inheritdoc />
    public int HiddenSize => checked((int)Config.Dim);

    /// <inheritdoc />
    public IReadOnlyList<string> ModulesOutsideHiddenState => [];

    /// <inheritdoc />
    public IReadOnlyList<string> ProjectionModules => ["q_lin", "k_lin", "v_lin", "out_lin", "lin1", "lin2"];

    /// <inheritdoc />
    public int MaxTokens => checked((int)Config.MaxPositionEmbeddings);

    /// <inheritdoc />
    /// <remarks>DistilBERT has no token types: <paramref name="tokenTypeIds"/> is ignored.</remarks>
    public Tensor Encode(Tensor inputIds, Tensor attentionMask, Tensor tokenTypeIds) => call(inputIds, attentionMask);

    /// <inheritdoc />
    public nn.Module Module => this;

    /// <inheritdoc />
    public ScalarType DType => embeddings.parameters().First().dtype;

    /// <inheritdoc />
    public string ToConfigJson() => Config.ToJson(DType);

    /// <inheritdoc />
    public bool IsIgnoredCheckpointTensor(string name) =>
        name.StartsWith("pre_classifier.", StringComparison.Ordinal) || name.StartsWith("classifier.", StringComparison.Ordinal)
        || name.StartsWith("vocab_", StringComparison.Ordinal) || name == "embeddings.position_ids";

    /// <summary>Task checkpoints (<c>DistilBertForSequenceClassification</c>, …) prefix the encoder's tensors with <c>distilbert.</c>.</summary>
    public string MapCheckpointTensorName(string name) =>
        name.StartsWith("distilbert.", StringComparison.Ordinal) ? name["distilbert.".Length..] : name;
}

/// <summary><c>embeddings</c>: word + learned position embeddings, LayerNorm, dropout.</summary>
internal sealed class DistilBertEmbeddings : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006
    private readonly EmbeddingTable word_embeddings;
    private readonly EmbeddingTable position_embeddings;
    private readonly LayerNorm LayerNorm;
    private readonly Dropout dropout;
#pragma warning restore IDE1006

    public DistilBertEmbeddings(DistilBertConfig config, ScalarType dtype = ScalarType.Float32, Device? device = null) : base(nameof(DistilBertEmbeddings))
    {
        word_embeddings = new EmbeddingTable(config.VocabSize, config.Dim, dtype, device, config.PadTokenId);
        position_embeddings = new EmbeddingTable(config.MaxPositionEmbeddings, config.Dim, dtype, device);
        LayerNorm = nn.LayerNorm(config.Dim, eps: 1e-12, device: device, dtype: dtype);
        dropout = nn.Dropout(config.Dropout);
        MaxPositions = config.MaxPositionEmbeddings;
        RegisterComponents();
    }

    public long MaxPositions { get; }

    public override Tensor forward(Tensor inputIds)
    {
        if (inputIds.dim() != 2)
            throw new ArgumentException($"input_ids must be [batch, sequence]; got shape [{string.Join(", ", inputIds.shape)}].", nameof(inputIds));
        long length = inputIds.shape[1];
        if (length > MaxPositions)
            throw new ArgumentException($"Sequence length {length} exceeds max_position_embeddings ({MaxPositions}).", nameof(inputIds));
        using var scope = NewDisposeScope();
        var positions = TorchScalars.Range(0, length, inputIds.device).unsqueeze(0);
        var sum = word_embeddings.call(inputIds).Plus(position_embeddings.call(positions));
        return dropout.call(LayerNorm.call(sum)).MoveToOuterDisposeScope();
    }
}

/// <summary><c>transformer</c>: the <c>layer</c> list of blocks.</summary>
internal sealed class DistilBertTransformer : nn.Module<Tensor, Tensor, Tensor>
{
#pragma warning disable IDE1006
    private readonly ModuleList<DistilBertBlock> layer;
#pragma warning restore IDE1006

    public DistilBertTransformer(DistilBertConfig config, ScalarType dtype = ScalarType.Float32, Device? device = null) : base(nameof(DistilBertTransformer))
    {
        layer = new ModuleList<DistilBertBlock>(Enumerable.Range(0, config.Layers).Select(_ => new DistilBertBlock(config, dtype, device)).ToArray());
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden, Tensor additiveMask)
    {
        using var scope = NewDisposeScope();
        foreach (var block in layer)
            hidden = block.call(hidden, additiveMask);
        return hidden.MoveToOuterDisposeScope();
    }
}

/// <summary>One block: attention → <c>sa_layer_norm</c>(· + x) → ffn → <c>output_layer_norm</c>(· + ·).</summary>
internal sealed class DistilBertBlock : nn.Module<Tensor, Tensor, Tensor>
{
#pragma warning disable IDE1006
    private readonly DistilBertAttention attention;
    private readonly LayerNorm sa_layer_norm;
    private readonly DistilBertFfn ffn;
    private readonly LayerNorm output_layer_norm;
#pragma warning restore IDE1006

    public DistilBertBlock(DistilBertConfig config, ScalarType dtype = ScalarType.Float32, Device? device = null) : base(nameof(DistilBertBlock))
    {
        attention = new DistilBertAttention(config, dtype, device);
        sa_layer_norm = nn.LayerNorm(config.Dim, eps: 1e-12, device: device, dtype: dtype);
        ffn = new DistilBertFfn(config, dtype, device);
        output_layer_norm = nn.LayerNorm(config.Dim, eps: 1e-12, device: device, dtype: dtype);
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden, Tensor additiveMask)
    {
        using var scope = NewDisposeScope();
        var attended = sa_layer_norm.call(attention.call(hidden, additiveMask).Plus(hidden));
        return output_layer_norm.call(ffn.call(attended).Plus(attended)).MoveToOuterDisposeScope();
    }
}

/// <summary>Multi-head self-attention with <c>q_lin</c>, <c>k_lin</c>, <c>v_lin</c>, <c>out_lin</c>.</summary>
internal sealed class DistilBertAttention : nn.Module<Tensor, Tensor, Tensor>
{
#pragma warning disable IDE1006 // Typed as modules so that an adapter can replace them.
    private nn.Module<Tensor, Tensor> q_lin;
    private nn.Module<Tensor, Tensor> k_lin;
    private nn.Module<Tensor, Tensor> v_lin;
    private nn.Module<Tensor, Tensor> out_lin;
    private readonly Dropout dropout;
#pragma warning restore IDE1006
    private readonly long _heads;

    public DistilBertAttention(DistilBertConfig config, ScalarType dtype = ScalarType.Float32, Device? device = null) : base(nameof(DistilBertAttention))
    {
        q_lin = ParameterInit.Linear(config.Dim, config.Dim, dtype: dtype, device: device);
        k_lin = ParameterInit.Linear(config.Dim, config.Dim, dtype: dtype, device: device);
        v_lin = ParameterInit.Linear(config.Dim, config.Dim, dtype: dtype, device: device);
        out_lin = ParameterInit.Linear(config.Dim, config.Dim, dtype: dtype, device: device);
        dropout = nn.Dropout(config.AttentionDropout);
        _heads = config.Heads;
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden, Tensor additiveMask)
    {
        using var scope = NewDisposeScope();
        var context = BertSelfAttention.Attend(q_lin.call(hidden), k_lin.call(hidden), v_lin.call(hidden), additiveMask, _heads, dropout);
        return out_lin.call(context).MoveToOuterDisposeScope();
    }
}

/// <summary>Feed-forward: <c>lin2</c>(activation(<c>lin1</c>(x))), dropout.</summary>
internal sealed class DistilBertFfn : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006
    private nn.Module<Tensor, Tensor> lin1;
    private nn.Module<Tensor, Tensor> lin2;
    private readonly Dropout dropout;
#pragma warning restore IDE1006
    private readonly string _activation;

    public DistilBertFfn(DistilBertConfig config, ScalarType dtype = ScalarType.Float32, Device? device = null) : base(nameof(DistilBertFfn))
    {
        lin1 = ParameterInit.Linear(config.Dim, config.HiddenDim, dtype: dtype, device: device);
        lin2 = ParameterInit.Linear(config.HiddenDim, config.Dim, dtype: dtype, device: device);
        dropout = nn.Dropout(config.Dropout);
        _activation = config.Activation;
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden)
    {
        using var scope = NewDisposeScope();
        return dropout.call(lin2.call(BertActivation.Apply(_activation, lin1.call(hidden)))).MoveToOuterDisposeScope();
    }
}
