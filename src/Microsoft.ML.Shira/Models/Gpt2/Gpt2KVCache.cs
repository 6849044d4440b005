namespace Microsoft.ML.Shira.Models.Gpt2;

/// <summary>
/// Key/value cache of a <see cref="Gpt2LMHeadModel"/>: per block, the keys and values of every position seen so far,
/// <c>[batch, n_head, length, head_dim]</c>. The tensors are detached from dispose scopes and owned by the cache.
/// </summary>
internal sealed class Gpt2KVCache : LayerKeyValueCache
{
    /// <summary>Creates an empty cache for <paramref name="layerCount"/> blocks.</summary>
    public Gpt2KVCache(int layerCount) : base(layerCount)
    {
    }
}
