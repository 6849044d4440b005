namespace Microsoft.ML.Shira.Models.Llama;

/// <summary>
/// Key/value cache of a <see cref="LlamaForCausalLM"/>: per layer, the rotated keys and the values of every position
/// seen so far, <c>[batch, key_value_heads, length, head_dim]</c> (before the grouped-query repetition).
/// The tensors are detached from dispose scopes and owned by the cache.
/// </summary>
internal sealed class LlamaKVCache : LayerKeyValueCache
{
    /// <summary>Creates an empty cache for <paramref name="layerCount"/> layers.</summary>
    public LlamaKVCache(int layerCount) : base(layerCount)
    {
    }
}
