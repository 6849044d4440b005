using Microsoft.ML.Shira.Runtime;

namespace Microsoft.ML.Shira.Models.Gpt2;

/// <summary>
/// Causal multi-head self-attention of a GPT-2 block (Hugging Face <c>GPT2Attention</c>): <c>c_attn</c> projects to
/// queries, keys and values at once, <c>c_proj</c> projects back. Both are held as standard <c>Linear</c> layers
/// (weight <c>[out, in]</c>; Hugging Face's <c>Conv1D</c> stores the transpose) and typed
/// <see cref="nn.Module{T, TResult}"/> so that an adapter can replace them.
/// </summary>
internal sealed class Gpt2Attention : nn.Module
{
#pragma warning disable IDE1006 // Field names are the Hugging Face module names (RegisterComponents uses them).
    private nn.Module<Tensor, Tensor> c_attn;
    private nn.Module<Tensor, Tensor> c_proj;
#pragma warning restore IDE1006
    private readonly int _layerIndex;
    private readonly long _embed;
    private readonly long _heads;
    private readonly long _headDim;
    private readonly double _scale;
    private readonly double _attentionDropout;
    private readonly double _residualDropout;

    /// <summary>Creates the attention of block <paramref name="layerIndex"/> with weights initialized as Hugging Face does.</summary>
    public Gpt2Attention(Gpt2Config config, int layerIndex, ScalarType dtype = ScalarType.Float32, Device? device = null) : base(nameof(Gpt2Attention))
    {
        ArgumentNullException.ThrowIfNull(config);
        _layerIndex = layerIndex;
        _embed = config.NEmbd;
        _heads = config.NHead;
        _headDim = config.HeadDim;
        double scale = config.ScaleAttnWeights ? 1.0 / Math.Sqrt(_headDim) : 1.0;
        if (config.ScaleAttnByInverseLayerIdx)
            scale /= layerIndex + 1;
        _scale = scale;
        _attentionDropout = config.AttnPdrop;
        _residualDropout = config.ResidPdrop;
        c_attn = Gpt2Init.Conv1D(_embed, 3 * _embed, config.InitializerRange, dtype, device);
        c_proj = Gpt2Init.Conv1D(_embed, _embed, Gpt2Init.ResidualStd(config), dtype, device);
        RegisterComponents();
    }

    /// <summary><c>c_attn</c>: <c>[n_embd] → [3·n_embd]</c> (queries, keys, values).</summary>
    public nn.Module<Tensor, Tensor> CAttn => c_attn;

    /// <summary><c>c_proj</c>: <c>[n_embd] → [n_embd]</c>.</summary>
    public nn.Module<Tensor, Tensor> CProj => c_proj;

    /// <summary>Attends <c>[batch, sequence, n_embd]</c> states.</summary>
    /// <param name="hidden">Normalized hidden states of the new positions.</param>
    /// <param name="attention">Which keys each query may see (causal, padding), and the attention kernel over them.</param>
    /// <param name="cache">Optional cache; extended with this layer's keys and values.</param>
    public Tensor Forward(Tensor hidden, CausalAttention attention, Gpt2KVCache? cache)
    {
        using var scope = NewDisposeScope();
        long batch = hidden.shape[0], length = hidden.shape[1];
        var parts = c_attn.call(hidden).split(_embed, 2);
        var query = Heads(parts[0], batch, length);
        var key = Heads(parts[1], batch, length);
        var value = Heads(parts[2], batch, length);
        if (cache is not null)
            (key, value) = cache.Update(_layerIndex, key, value);

        var attended = attention.Attend(query, key, value, training ? _attentionDropout : 0.0, _scale);
        var output = attended.transpose(1, 2).reshape(batch, length, _embed);
        output = c_proj.call(output);
        if (_residualDropout > 0 && training)
            output = nn.functional.dropout(output, _residualDropout, training: true);
        return output.MoveToOuterDisposeScope();
    }

    private Tensor Heads(Tensor states, long batch, long length) =>
        states.view(batch, length, _heads, _headDim).transpose(1, 2);
}
