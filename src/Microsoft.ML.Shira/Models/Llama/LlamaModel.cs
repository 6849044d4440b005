using TorchSharp.Modules;

namespace Microsoft.ML.Shira.Models.Llama;

/// <summary>
/// The LLaMA decoder stack (Hugging Face <c>LlamaModel</c>): <c>embed_tokens</c>, <c>layers</c>, final <c>norm</c>.
/// Returns the final hidden states.
/// </summary>
internal sealed class LlamaModel : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // Field names are the Hugging Face module names (RegisterComponents uses them).
    private readonly EmbeddingTable embed_tokens;
    private readonly ModuleList<LlamaDecoderLayer> layers;
    private readonly LlamaRMSNorm norm;
#pragma warning restore IDE1006
    private readonly LlamaRotaryEmbedding _rotary;

    /// <summary>Creates the stack with random weights (see <see cref="LlamaConfig.InitializerRange"/>).</summary>
    public LlamaModel(LlamaConfig config, ScalarType dtype = ScalarType.Float32, Device? device = null) : base(nameof(LlamaModel))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        embed_tokens = new EmbeddingTable(config.VocabSize, config.HiddenSize, dtype, device);
        ParameterInit.Normal(embed_tokens.Weight, config.InitializerRange);
        layers = new ModuleList<LlamaDecoderLayer>(Enumerable.Range(0, config.NumHiddenLayers).Select(i => new LlamaDecoderLayer(config, i, dtype, device)).ToArray());
        norm = new LlamaRMSNorm(config.HiddenSize, config.RmsNormEps, dtype, device, config.NormScalesByOnePlusWeight);
        _rotary = new LlamaRotaryEmbedding(config);
        RegisterComponents();
    }

    /// <summary>The configuration.</summary>
    public LlamaConfig Config { get; }

    /// <summary><c>embed_tokens</c>.</summary>
    public EmbeddingTable EmbedTokens => embed_tokens;

    /// <summary><c>layers</c>.</summary>
    public IReadOnlyList<LlamaDecoderLayer> Layers => layers.ToList();

    /// <summary><c>norm</c>.</summary>
    public LlamaRMSNorm Norm => norm;

    /// <summary>Hidden states of token ids <c>[batch, sequence]</c>, without padding or cache.</summary>
    public override Tensor forward(Tensor inputIds) => Forward(inputIds, null, null);

    /// <summary>Final hidden states <c>[batch, sequence, hidden]</c>.</summary>
    /// <param name="inputIds">Token ids <c>[batch, sequence]</c> (int64 or int32); with a non-empty cache, only the new tokens.</param>
    /// <param name="attentionMask">Optional <c>[batch, past + sequence]</c> mask (1 real, 0 padding). Positions are counted over real tokens only, as in Hugging Face generation.</param>
    /// <param name="cache">Optional cache, extended by the new tokens.</param>
    public Tensor Forward(Tensor inputIds, Tensor? attentionMask, LlamaKVCache? cache)
    {
        ArgumentNullException.ThrowIfNull(inputIds);
        if (inputIds.dim() != 2)
            throw new ArgumentException($"input ids must be [batch, sequence]; got shape [{string.Join(", ", inputIds.shape)}].", nameof(inputIds));
        if (cache is not null && cache.LayerCount != Config.NumHiddenLayers)
            throw new ArgumentException($"The cache has {cache.LayerCount} layers; the model has {Config.NumHiddenLayers}.", nameof(cache));
        long batch = inputIds.shape[0], length = inputIds.shape[1];
        long past = cache?.Length ?? 0;
        if (length == 0)
            throw new ArgumentException("input ids must hold at least one position.", nameof(inputIds));
        if (attentionMask is not null && (attentionMask.dim() != 2 || attentionMask.shape[0] != batch || attentionMask.shape[1] != past + length))
            throw new ArgumentException($"attention mask must be [{batch}, {past + length}] (batch, cached + new positions); got [{string.Join(", ", attentionMask.shape)}].", nameof(attentionMask));

        using var scope = NewDisposeScope();
        var ids = inputIds.dtype == ScalarType.Int64 ? inputIds : inputIds.to(ScalarType.Int64);
        var hidden = embed_tokens.call(ids);
        if (Config.ScalesEmbeddings)
        {
            // Gemma: × √hidden, rounded to the model's dtype first as transformers does.
            using var normalizer = tensor(Math.Sqrt(Config.HiddenSize), dtype: ScalarType.Float64).to(hidden.dtype).to(hidden.device);
            hidden = hidden * normalizer;
        }
        var positions = CausalPositions.PositionIds(attentionMask, batch, past, length, ids.device);
        var (cos, sin) = _rotary.Compute(positions, hidden.dtype);
        var attention = CausalAttention.For(attentionMask, past, length, hidden.dtype, ids.device);
        foreach (var layer in layers)
            hidden = layer.Forward(hidden, cos, sin, attention, cache);
        return norm.call(hidden).MoveToOuterDisposeScope();
    }
}
