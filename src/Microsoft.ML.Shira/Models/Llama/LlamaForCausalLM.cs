using Microsoft.ML.Shira.Checkpoints.HuggingFace;
using Microsoft.ML.Shira.IO.HuggingFace;

namespace Microsoft.ML.Shira.Models.Llama;

/// <summary>
/// LLaMA causal language model (Hugging Face <c>LlamaForCausalLM</c>): <c>model</c> (<see cref="LlamaModel"/>) and
/// <c>lm_head</c>. Parameter names equal the Hugging Face ones (<c>model.layers.0.self_attn.q_proj.weight</c>, …).
/// With <see cref="LlamaConfig.TieWordEmbeddings"/>, <c>lm_head</c> is a <see cref="TiedLinear"/> that reads
/// <c>model.embed_tokens.weight</c> and has no parameter of its own.
/// </summary>
internal sealed class LlamaForCausalLM : nn.Module<Tensor, Tensor>, ICausalLanguageModel, IHuggingFaceModel
{
#pragma warning disable IDE1006 // Field names are the Hugging Face module names (RegisterComponents uses them).
    private readonly LlamaModel model;
    private nn.Module<Tensor, Tensor> lm_head;
#pragma warning restore IDE1006

    /// <summary>Creates a model with random weights (N(0, <c>initializer_range</c>), norms at one).</summary>
    /// <param name="config">Validated configuration.</param>
    /// <param name="dtype">Weight dtype: float32, float16, bfloat16 or float64.</param>
    /// <param name="device">Device of the weights (CPU when null).</param>
    public LlamaForCausalLM(LlamaConfig config, ScalarType dtype = ScalarType.Float32, Device? device = null) : base(nameof(LlamaForCausalLM))
    {
        ArgumentNullException.ThrowIfNull(config);
        if (!HuggingFaceDTypes.IsSupported(dtype))
            throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "A LLaMA model needs a floating-point dtype (float32, float16, bfloat16 or float64).");
        config.Validate();
        Config = config;
        model = new LlamaModel(config, dtype, device);
        lm_head = config.TieWordEmbeddings
            ? new TiedLinear("lm_head", () => model.EmbedTokens.Weight)
            : LlamaInit.Linear(config.HiddenSize, config.VocabSize, false, config.InitializerRange, dtype, device);
        RegisterComponents();
    }

    /// <summary>The configuration.</summary>
    public LlamaConfig Config { get; }

    /// <summary><c>model</c>: the decoder stack.</summary>
    public LlamaModel Model => model;

    /// <summary><c>lm_head</c>: the output projection (a <see cref="TiedLinear"/> when embeddings are tied).</summary>
    public nn.Module<Tensor, Tensor> LmHead => lm_head;

    /// <inheritdoc />
    public string ModelType => Config.Type;

    /// <inheritdoc />
    public ScalarType DType => model.EmbedTokens.Weight.dtype;

    /// <inheritdoc />
    public Device Device => model.EmbedTokens.Weight.device;

    /// <inheritdoc />
    public long VocabularySize => Config.VocabSize;

    /// <inheritdoc />
    public long MaxPositionEmbeddings => Config.MaxPositionEmbeddings;

    /// <inheritdoc />
    public nn.Module Module => this;

    /// <inheritdoc />
    public IKeyValueCache CreateCache() => new LlamaKVCache(Config.NumHiddenLayers);

    /// <summary>Logits <c>[batch, sequence, vocabulary]</c> of token ids, without padding or cache.</summary>
    public override Tensor forward(Tensor inputIds) => Forward(inputIds);

    /// <inheritdoc />
    public Tensor Forward(Tensor inputIds, Tensor? attentionMask = null, IKeyValueCache? cache = null, bool lastPositionOnly = false)
    {
        if (cache is not null and not LlamaKVCache)
            throw new ArgumentException($"A LLaMA model needs a {nameof(LlamaKVCache)} (from {nameof(CreateCache)}); got {cache.GetType().Name}.", nameof(cache));
        using var scope = NewDisposeScope();
        var hidden = model.Forward(inputIds, attentionMask, (LlamaKVCache?)cache);
        if (lastPositionOnly)
            hidden = hidden.narrow(1, hidden.shape[1] - 1, 1);
        return lm_head.call(hidden).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public string ToConfigJson() => Config.ToJson(DType);

    /// <inheritdoc />
    public bool IsIgnoredCheckpointTensor(string name) =>
        (Config.TieWordEmbeddings && name == "lm_head.weight")
        || name.EndsWith(".rotary_emb.inv_freq", StringComparison.Ordinal);
}
