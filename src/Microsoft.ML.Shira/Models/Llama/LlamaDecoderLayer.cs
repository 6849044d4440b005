using Microsoft.ML.Shira.Runtime;

namespace Microsoft.ML.Shira.Models.Llama;

/// <summary>One pre-norm LLaMA block: <c>h + attn(norm(h))</c>, then <c>h + mlp(norm(h))</c>.</summary>
internal sealed class LlamaDecoderLayer : nn.Module
{
#pragma warning disable IDE1006 // Field names are the Hugging Face module names (RegisterComponents uses them).
    private readonly LlamaAttention self_attn;
    private readonly LlamaMLP mlp;
    private readonly LlamaRMSNorm input_layernorm;
    private readonly LlamaRMSNorm post_attention_layernorm;
#pragma warning restore IDE1006

    /// <summary>Creates layer <paramref name="layerIndex"/>.</summary>
    public LlamaDecoderLayer(LlamaConfig config, int layerIndex, ScalarType dtype = ScalarType.Float32, Device? device = null) : base(nameof(LlamaDecoderLayer))
    {
        ArgumentNullException.ThrowIfNull(config);
        self_attn = new LlamaAttention(config, layerIndex, dtype, device);
        mlp = new LlamaMLP(config, dtype, device);
        input_layernorm = new LlamaRMSNorm(config.HiddenSize, config.RmsNormEps, dtype, device, config.NormScalesByOnePlusWeight);
        post_attention_layernorm = new LlamaRMSNorm(config.HiddenSize, config.RmsNormEps, dtype, device, config.NormScalesByOnePlusWeight);
        RegisterComponents();
    }

    /// <summary><c>self_attn</c>.</summary>
    public LlamaAttention SelfAttention => self_attn;

    /// <summary><c>mlp</c>.</summary>
    public LlamaMLP Mlp => mlp;

    /// <summary><c>input_layernorm</c>.</summary>
    public LlamaRMSNorm InputLayerNorm => input_layernorm;

    /// <summary><c>post_attention_layernorm</c>.</summary>
    public LlamaRMSNorm PostAttentionLayerNorm => post_attention_layernorm;

    /// <summary>Applies the block; see <see cref="LlamaAttention.Forward"/> for the arguments.</summary>
    public Tensor Forward(Tensor hidden, Tensor cos, Tensor sin, CausalAttention attention, LlamaKVCache? cache)
    {
        using var scope = NewDisposeScope();
        var attended = hidden.Plus(self_attn.Forward(input_layernorm.call(hidden), cos, sin, attention, cache));
        return attended.Plus(mlp.call(post_attention_layernorm.call(attended))).MoveToOuterDisposeScope();
    }
}
