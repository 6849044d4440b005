using System.Text.RegularExpressions;
using Microsoft.ML.Shira.Checkpoints.HuggingFace;
using Microsoft.ML.Shira.IO.HuggingFace;

namespace Microsoft.ML.Shira.Models.Gpt2;

/// <summary>
/// GPT-2 causal language model (Hugging Face <c>GPT2LMHeadModel</c>): <c>transformer</c> (<see cref="Gpt2Model"/>) and
/// <c>lm_head</c>, with parameter names equal to the Hugging Face ones (<c>transformer.h.0.attn.c_attn.weight</c>, …).
/// With <see cref="Gpt2Config.TieWordEmbeddings"/> (every released GPT-2), <c>lm_head</c> is a <see cref="TiedLinear"/>
/// reading <c>transformer.wte.weight</c>.
/// </summary>
/// <remarks>
/// Weight layout: Hugging Face's GPT-2 projections (<c>c_attn</c>, <c>c_proj</c>, <c>c_fc</c>) are <c>Conv1D</c> modules
/// whose weight is stored <c>[in_features, out_features]</c> and applied as <c>x·W + b</c>. This model holds them as
/// standard <c>Linear</c> layers with weight <c>[out_features, in_features]</c> (the transpose), so SHiRA/LoRA injection,
/// masks, fingerprints and adapter switching treat them like any other Linear. <see cref="FanInFanOutModules"/> lists
/// them: <see cref="HuggingFaceLoader"/> transposes their weights on load, <see cref="HuggingFaceExporter"/> transposes
/// them back on export (so export → load is bit-identical and exports load in <c>transformers</c>), and PEFT adapter
/// files can be written in the Conv1D (<c>fan_in_fan_out</c>) layout.
/// </remarks>
internal sealed partial class Gpt2LMHeadModel : nn.Module<Tensor, Tensor>, ICausalLanguageModel, IHuggingFaceModel
{
#pragma warning disable IDE1006 // Field names are the Hugging Face module names (RegisterComponents uses them).
    private readonly Gpt2Model transformer;
    private nn.Module<Tensor, Tensor> lm_head;
#pragma warning restore IDE1006
    private readonly HashSet<string> _fanInFanOutModules;

    /// <summary>Creates a model with random weights, initialized as Hugging Face does.</summary>
    /// <param name="config">Validated configuration.</param>
    /// <param name="dtype">Weight dtype: float32, float16, bfloat16 or float64.</param>
    /// <param name="device">Device of the weights (CPU when null).</param>
    public Gpt2LMHeadModel(Gpt2Config config, ScalarType dtype = ScalarType.Float32, Device? device = null) : base(nameof(Gpt2LMHeadModel))
    {
        ArgumentNullException.ThrowIfNull(config);
        if (!HuggingFaceDTypes.IsSupported(dtype))
            throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "A GPT-2 model needs a floating-point dtype (float32, float16, bfloat16 or float64).");
        config.Validate();
        Config = config;
        transformer = new Gpt2Model(config, dtype, device);
        if (config.TieWordEmbeddings)
        {
            lm_head = new TiedLinear("lm_head", () => transformer.Wte.Weight);
        }
        else
        {
            var head = ParameterInit.Linear(config.NEmbd, config.VocabSize, hasBias: false, dtype: dtype, device: device);
            ParameterInit.Normal(head.weight, config.InitializerRange);
            lm_head = head;
        }
        _fanInFanOutModules = Enumerable.Range(0, config.NLayer)
            .SelectMany(i => new[] { $"transformer.h.{i}.attn.c_attn", $"transformer.h.{i}.attn.c_proj", $"transformer.h.{i}.mlp.c_fc", $"transformer.h.{i}.mlp.c_proj" })
            .ToHashSet(StringComparer.Ordinal);
        RegisterComponents();
    }

    /// <summary>The configuration.</summary>
    public Gpt2Config Config { get; }

    /// <summary><c>transformer</c>: the decoder stack.</summary>
    public Gpt2Model Transformer => transformer;

    /// <summary><c>lm_head</c>: the output projection (a <see cref="TiedLinear"/> when embeddings are tied).</summary>
    public nn.Module<Tensor, Tensor> LmHead => lm_head;

    /// <inheritdoc />
    public string ModelType => Gpt2Config.ModelType;

    /// <inheritdoc />
    public ScalarType DType => transformer.Wte.Weight.dtype;

    /// <inheritdoc />
    public Device Device => transformer.Wte.Weight.device;

    /// <inheritdoc />
    public long VocabularySize => Config.VocabSize;

    /// <inheritdoc />
    public long MaxPositionEmbeddings => Config.NPositions;

    /// <inheritdoc />
    public nn.Module Module => this;

    /// <summary>
    /// The Conv1D projections of every block (<c>transformer.h.N.attn.c_attn</c>, <c>…attn.c_proj</c>, <c>…mlp.c_fc</c>,
    /// <c>…mlp.c_proj</c>): held here as Linear <c>[out, in]</c>, stored by Hugging Face as <c>[in, out]</c>.
    /// </summary>
    public IReadOnlySet<string> FanInFanOutModules => _fanInFanOutModules;

    /// <inheritdoc />
    public IKeyValueCache CreateCache() => new Gpt2KVCache(Config.NLayer);

    /// <summary>Logits <c>[batch, sequence, vocabulary]</c> of token ids, without padding or cache.</summary>
    public override Tensor forward(Tensor inputIds) => Forward(inputIds);

    /// <inheritdoc />
    public Tensor Forward(Tensor inputIds, Tensor? attentionMask = null, IKeyValueCache? cache = null, bool lastPositionOnly = false)
    {
        if (cache is not null and not Gpt2KVCache)
            throw new ArgumentException($"A GPT-2 model needs a {nameof(Gpt2KVCache)} (from {nameof(CreateCache)}); got {cache.GetType().Name}.", nameof(cache));
        using var scope = NewDisposeScope();
        var hidden = transformer.Forward(inputIds, attentionMask, (Gpt2KVCache?)cache);
        if (lastPositionOnly)
            hidden = hidden.narrow(1, hidden.shape[1] - 1, 1);
        return lm_head.call(hidden).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public string ToConfigJson() => Config.ToJson(DType);

    /// <summary>
    /// Skips the tied <c>lm_head.weight</c> and the causal-mask buffers older checkpoints carry
    /// (<c>transformer.h.N.attn.bias</c>, <c>…attn.masked_bias</c>).
    /// </summary>
    public bool IsIgnoredCheckpointTensor(string name) =>
        (Config.TieWordEmbeddings && name == "lm_head.weight") || MaskBuffer().IsMatch(name);

    /// <summary>Adds the <c>transformer.</c> prefix that checkpoints saved from the bare <c>GPT2Model</c> (such as the original <c>gpt2</c>) lack.</summary>
    public string MapCheckpointTensorName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.StartsWith("transformer.", StringComparison.Ordinal) || name.StartsWith("lm_head.", StringComparison.Ordinal)
            ? name
            : "transformer." + name;
    }

    [GeneratedRegex(@"^transformer\.h\.\d+\.attn\.(bias|masked_bias)$", RegexOptions.CultureInvariant)]
    private static partial Regex MaskBuffer();
}
