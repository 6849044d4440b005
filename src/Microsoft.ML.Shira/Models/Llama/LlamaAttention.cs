namespace Microsoft.ML.Shira.Models.Llama;

/// <summary>
/// Multi-head self-attention of a LLaMA layer with grouped-query attention (keys/values repeated over
/// <c>num_attention_heads / num_key_value_heads</c> query heads) and rotary position embedding.
/// The projections are typed <see cref="nn.Module{T, TResult}"/> so that an adapter can replace them.
/// </summary>
internal sealed class LlamaAttention : nn.Module
{
#pragma warning disable IDE1006 // Field names are the Hugging Face module names (RegisterComponents uses them).
    private nn.Module<Tensor, Tensor>? q_proj;
    private nn.Module<Tensor, Tensor>? k_proj;
    private nn.Module<Tensor, Tensor>? v_proj;
    private nn.Module<Tensor, Tensor>? qkv_proj;
    private nn.Module<Tensor, Tensor> o_proj;
    private LlamaRMSNorm? q_norm;
    private LlamaRMSNorm? k_norm;
#pragma warning restore IDE1006
    private readonly int _layerIndex;
    private readonly long _heads;
    private readonly long _keyValueHeads;
    private readonly long _headDim;
    private readonly double _dropout;

    /// <summary>Creates the attention of layer <paramref name="layerIndex"/> with weights drawn from N(0, <c>initializer_range</c>).</summary>
    public LlamaAttention(LlamaConfig config, int layerIndex, ScalarType dtype = ScalarType.Float32, Device? device = null) : base(nameof(LlamaAttention))
    {
        ArgumentNullException.ThrowIfNull(config);
        _layerIndex = layerIndex;
        _heads = config.NumAttentionHeads;
        _keyValueHeads = config.KeyValueHeads;
        _headDim = config.EffectiveHeadDim;
        _dropout = config.AttentionDropout;
        double std = config.InitializerRange;
        if (config.FusedProjections)
        {
            qkv_proj = LlamaInit.Linear(config.HiddenSize, (_heads + 2 * _keyValueHeads) * _headDim, config.QkvBias, std, dtype, device);
        }
        else
        {
            q_proj = LlamaInit.Linear(config.HiddenSize, _heads * _headDim, config.QkvBias, std, dtype, device);
            k_proj = LlamaInit.Linear(config.HiddenSize, _keyValueHeads * _headDim, config.QkvBias, std, dtype, device);
            v_proj = LlamaInit.Linear(config.HiddenSize, _keyValueHeads * _headDim, config.QkvBias, std, dtype, device);
        }
        o_proj = LlamaInit.Linear(_heads * _headDim, config.HiddenSize, config.AttentionBias, std, dtype, device);
        if (config.QkNorm)
        {
            q_norm = new LlamaRMSNorm(_headDim, config.RmsNormEps, dtype, device);
            k_norm = new LlamaRMSNorm(_headDim, config.RmsNormEps, dtype, device);
        }
        RegisterComponents();
    }

    /// <summary><c>o_proj</c>.</summary>
    public nn.Module<Tensor, Tensor> OProj => o_proj;

    /// <summary>Attends <c>[batch, sequence, hidden]</c> states.</summary>
    /// <param name="hidden">Normalized hidden states of the new positions.</param>
    /// <param name="cos">RoPE cosines <c>[batch, 1, sequence, head_dim]</c>.</param>
    /// <param name="sin">RoPE sines <c>[batch, 1, sequence, head_dim]</c>.</param>
    /// <param name="attention">Which keys each query may see (causal, padding), and the attention kernel over them.</param>
    /// <param name="cache">Optional cache; extended with this layer's keys and values.</param>
    public Tensor Forward(Tensor hidden, Tensor cos, Tensor sin, CausalAttention attention, LlamaKVCache? cache)
    {
        using var scope = NewDisposeScope();
        long batch = hidden.shape[0], length = hidden.shape[1];
        var (query, key, value) = Project(hidden);
        query = query.view(batch, length, _heads, _headDim);
        key = key.view(batch, length, _keyValueHeads, _headDim);
        if (q_norm is not null && k_norm is not null)
            (query, key) = (q_norm.call(query), k_norm.call(key));
        query = query.transpose(1, 2);
        key = key.transpose(1, 2);
        value = value.view(batch, length, _keyValueHeads, _headDim).transpose(1, 2);

        query = LlamaRotaryEmbedding.Apply(query, cos, sin);
        key = LlamaRotaryEmbedding.Apply(key, cos, sin);
        if (cache is not null)
            (key, value) = cache.Update(_layerIndex, key, value);

        key = RepeatKeyValue(key);
        value = RepeatKeyValue(value);

        var attended = attention.Attend(query, key, value, training ? _dropout : 0.0);
        var output = attended.transpose(1, 2).reshape(batch, length, _heads * _headDim);
        return o_proj.call(output).MoveToOuterDisposeScope();
    }

    /// <summary>Queries, keys and values: three projections, or Phi-3's fused <c>qkv_proj</c> split in that order.</summary>
    private (Tensor Query, Tensor Key, Tensor Value) Project(Tensor hidden)
    {
        if (qkv_proj is null)
            return (q_proj!.call(hidden), k_proj!.call(hidden), v_proj!.call(hidden));
        var parts = qkv_proj.call(hidden).split([_heads * _headDim, _keyValueHeads * _headDim, _keyValueHeads * _headDim], -1);
        return (parts[0], parts[1], parts[2]);
    }

    private Tensor RepeatKeyValue(Tensor states)
    {
        long repeats = _heads / _keyValueHeads;
        if (repeats == 1)
            return states;
        long batch = states.shape[0], length = states.shape[2];
        return states.unsqueeze(2).expand(batch, _keyValueHeads, repeats, length, _headDim).reshape(batch, _heads, length, _headDim);
    }
}
