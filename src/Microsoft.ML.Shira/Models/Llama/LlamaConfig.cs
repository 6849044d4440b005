using System.Text.Json.Nodes;
using Microsoft.ML.Shira.Checkpoints.HuggingFace;
using Microsoft.ML.Shira.IO.HuggingFace;

namespace Microsoft.ML.Shira.Models.Llama;

/// <summary>
/// Hyper-parameters of a LLaMA model, named and defaulted as in Hugging Face's <c>LlamaConfig</c>
/// (<c>config.json</c>). Create it with <see cref="FromJson"/> or an object initializer, then call <see cref="Validate"/>.
/// </summary>
internal sealed partial record LlamaConfig
{
    /// <summary>The Hugging Face <c>model_type</c> of LLaMA itself.</summary>
    public const string ModelType = "llama";

    /// <summary>
    /// The <c>model_type</c>s with LLaMA's layout that this class describes, and their transformers class: Mistral
    /// (without a sliding window) is LLaMA without biases; Qwen2 adds biases to the q/k/v projections (not to o_proj);
    /// Qwen3 normalizes each head's queries and keys with an RMSNorm (<c>q_norm</c>, <c>k_norm</c>) before RoPE; Gemma
    /// scales embeddings by √hidden, its RMSNorms by <c>1 + weight</c>, and gates its MLP with tanh-approximated GELU;
    /// Phi-3 fuses q/k/v into <c>qkv_proj</c> and gate/up into <c>gate_up_proj</c>.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Family { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [ModelType] = "LlamaForCausalLM",
        ["mistral"] = "MistralForCausalLM",
        ["qwen2"] = "Qwen2ForCausalLM",
        ["qwen3"] = "Qwen3ForCausalLM",
        ["gemma"] = "GemmaForCausalLM",
        ["phi3"] = "Phi3ForCausalLM",
    };

    /// <summary>The <c>model_type</c> of this config (a key of <see cref="Family"/>).</summary>
    public string Type { get; init; } = ModelType;

    /// <summary>q/k/v projections have biases (<c>attention_bias</c>, or always for Qwen2).</summary>
    public bool QkvBias => AttentionBias || Type == "qwen2";

    /// <summary>Per-head RMSNorm of queries and keys (Qwen3).</summary>
    public bool QkNorm => Type == "qwen3";

    /// <summary>Fused <c>qkv_proj</c> and <c>gate_up_proj</c> (Phi-3).</summary>
    public bool FusedProjections => Type == "phi3";

    /// <summary>Embeddings are multiplied by √<see cref="HiddenSize"/> (Gemma).</summary>
    public bool ScalesEmbeddings => Type == "gemma";

    /// <summary>RMSNorms scale by <c>1 + weight</c> (Gemma).</summary>
    public bool NormScalesByOnePlusWeight => Type == "gemma";

    /// <summary>The <c>hidden_act</c> values the MLP implements: SiLU, and tanh-approximated GELU (Gemma).</summary>
    public static IReadOnlyList<string> SupportedActivations { get; } = ["silu", "gelu_pytorch_tanh"];

    /// <summary><c>vocab_size</c>.</summary>
    public long VocabSize { get; init; } = 32000;

    /// <summary><c>hidden_size</c>.</summary>
    public long HiddenSize { get; init; } = 4096;

    /// <summary><c>intermediate_size</c> (MLP width).</summary>
    public long IntermediateSize { get; init; } = 11008;

    /// <summary><c>num_hidden_layers</c>.</summary>
    public int NumHiddenLayers { get; init; } = 32;

    /// <summary><c>num_attention_heads</c>.</summary>
    public long NumAttentionHeads { get; init; } = 32;

    /// <summary><c>num_key_value_heads</c> (grouped-query attention); null means <see cref="NumAttentionHeads"/>.</summary>
    public long? NumKeyValueHeads { get; init; }

    /// <summary><c>head_dim</c>; null means <see cref="HiddenSize"/> / <see cref="NumAttentionHeads"/>.</summary>
    public long? HeadDim { get; init; }

    /// <summary><c>max_position_embeddings</c>.</summary>
    public long MaxPositionEmbeddings { get; init; } = 2048;

    /// <summary><c>rms_norm_eps</c>.</summary>
    public double RmsNormEps { get; init; } = 1e-6;

    /// <summary><c>rope_theta</c> (RoPE base).</summary>
    public double RopeTheta { get; init; } = 10000.0;

    /// <summary><c>rope_scaling</c>; null for plain RoPE.</summary>
    public LlamaRopeScaling? RopeScaling { get; init; }

    /// <summary><c>hidden_act</c>: <c>silu</c>, or <c>gelu_pytorch_tanh</c> (Gemma).</summary>
    public string HiddenAct { get; init; } = "silu";

    /// <summary><c>attention_bias</c>: q/k/v/o projections have biases.</summary>
    public bool AttentionBias { get; init; }

    /// <summary><c>attention_dropout</c> (applied to attention probabilities in training mode only).</summary>
    public double AttentionDropout { get; init; }

    /// <summary><c>mlp_bias</c>: gate/up/down projections have biases.</summary>
    public bool MlpBias { get; init; }

    /// <summary><c>tie_word_embeddings</c>: the output head reuses the input embedding (no <c>lm_head.weight</c>).</summary>
    public bool TieWordEmbeddings { get; init; }

    /// <summary><c>initializer_range</c>: standard deviation of the random initialization.</summary>
    public double InitializerRange { get; init; } = 0.02;

    /// <summary><c>bos_token_id</c>.</summary>
    public long? BosTokenId { get; init; } = 1;

    /// <summary><c>eos_token_id</c> (one or several ids).</summary>
    public IReadOnlyList<long> EosTokenIds { get; init; } = new long[] { 2 };

    /// <summary><c>pad_token_id</c>.</summary>
    public long? PadTokenId { get; init; }

    /// <summary>Effective number of key/value heads.</summary>
    public long KeyValueHeads => NumKeyValueHeads ?? NumAttentionHeads;

    /// <summary>Effective head dimension.</summary>
    public long EffectiveHeadDim => HeadDim ?? (NumAttentionHeads > 0 ? HiddenSize / NumAttentionHeads : 0);

    /// <summary>The config.json this config was read from (kept so that an export preserves unknown keys).</summary>
    private JsonObject? SourceJson { get; init; }

    /// <summary>Checks that the sizes are positive and consistent.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names the config key.</exception>
    public void Validate()
    {
        Require(Family.ContainsKey(Type), "model_type", $"'{Type}' (this layout covers {string.Join(", ", Family.Keys)})");
        Require(VocabSize > 0, "vocab_size", VocabSize);
        Require(HiddenSize > 0, "hidden_size", HiddenSize);
        Require(IntermediateSize > 0, "intermediate_size", IntermediateSize);
        Require(NumHiddenLayers > 0, "num_hidden_layers", NumHiddenLayers);
        Require(NumAttentionHeads > 0, "num_attention_heads", NumAttentionHeads);
        Require(KeyValueHeads > 0 && NumAttentionHeads % KeyValueHeads == 0, "num_key_value_heads", $"{KeyValueHeads} (must divide num_attention_heads = {NumAttentionHeads})");
        Require(HeadDim is not null || HiddenSize % NumAttentionHeads == 0, "hidden_size", $"{HiddenSize} (must be a multiple of num_attention_heads = {NumAttentionHeads} when head_dim is absent)");
        Require(EffectiveHeadDim > 0 && EffectiveHeadDim % 2 == 0, "head_dim", $"{EffectiveHeadDim} (must be positive and even for RoPE)");
        Require(MaxPositionEmbeddings > 0, "max_position_embeddings", MaxPositionEmbeddings);
        Require(RmsNormEps > 0 && double.IsFinite(RmsNormEps), "rms_norm_eps", RmsNormEps);
        Require(RopeTheta > 0 && double.IsFinite(RopeTheta), "rope_theta", RopeTheta);
        Require(AttentionDropout is >= 0 and < 1, "attention_dropout", AttentionDropout);
        Require(SupportedActivations.Contains(HiddenAct), "hidden_act", $"'{HiddenAct}' (supported: {string.Join(", ", SupportedActivations)})");
        if (RopeScaling is { } scaling)
        {
            Require(LlamaRopeScaling.SupportedTypes.Contains(scaling.RopeType), "rope_scaling", $"type '{scaling.RopeType}' (supported: {string.Join(", ", LlamaRopeScaling.SupportedTypes)})");
            Require(scaling.Factor > 0, "rope_scaling.factor", scaling.Factor);
            if (scaling.RopeType == "llama3")
                Require(scaling.HighFreqFactor > scaling.LowFreqFactor && scaling.LowFreqFactor > 0 && scaling.OriginalMaxPositionEmbeddings > 0, "rope_scaling", "llama3 factors (need 0 < low_freq_factor < high_freq_factor and original_max_position_embeddings > 0)");
        }
    }

    private static void Require(bool condition, string key, object value) => HuggingFaceConfigJson.Require(condition, "LLaMA", key, value);
}
