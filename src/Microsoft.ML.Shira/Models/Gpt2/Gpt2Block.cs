using TorchSharp.Modules;
using Microsoft.ML.Shira.Runtime;

namespace Microsoft.ML.Shira.Models.Gpt2;

/// <summary>One pre-norm GPT-2 block (Hugging Face <c>GPT2Block</c>): <c>h + attn(ln_1(h))</c>, then <c>h + mlp(ln_2(h))</c>.</summary>
internal sealed class Gpt2Block : nn.Module
{
#pragma warning disable IDE1006 // Field names are the Hugging Face module names (RegisterComponents uses them).
    private readonly LayerNorm ln_1;
    private readonly Gpt2Attention attn;
    private readonly LayerNorm ln_2;
    private readonly Gpt2MLP mlp;
#pragma warning restore IDE1006

    /// <summary>Creates block <paramref name="layerIndex"/>.</summary>
    public Gpt2Block(Gpt2Config config, int layerIndex, ScalarType dtype = ScalarType.Float32, Device? device = null) : base(nameof(Gpt2Block))
    {
        ArgumentNullException.ThrowIfNull(config);
        ln_1 = nn.LayerNorm(config.NEmbd, config.LayerNormEpsilon, device: device, dtype: dtype);
        attn = new Gpt2Attention(config, layerIndex, dtype, device);
        ln_2 = nn.LayerNorm(config.NEmbd, config.LayerNormEpsilon, device: device, dtype: dtype);
        mlp = new Gpt2MLP(config, dtype, device);
        RegisterComponents();
    }

    /// <summary><c>ln_1</c>.</summary>
    public LayerNorm Ln1 => ln_1;

    /// <summary><c>attn</c>.</summary>
    public Gpt2Attention Attn => attn;

    /// <summary><c>ln_2</c>.</summary>
    public LayerNorm Ln2 => ln_2;

    /// <summary><c>mlp</c>.</summary>
    public Gpt2MLP Mlp => mlp;

    /// <summary>Applies the block; see <see cref="Gpt2Attention.Forward"/> for the arguments.</summary>
    public Tensor Forward(Tensor hidden, CausalAttention attention, Gpt2KVCache? cache)
    {
        using var scope = NewDisposeScope();
        var attended = hidden.Plus(attn.Forward(ln_1.call(hidden), attention, cache));
        return attended.Plus(mlp.call(ln_2.call(attended))).MoveToOuterDisposeScope();
    }
}
