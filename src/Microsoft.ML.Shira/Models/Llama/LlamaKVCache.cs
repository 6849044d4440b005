using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Models.Llama;

/// <summary>
/// Key/value cache of a <see cref="LlamaForCausalLM"/>: per layer, the rotated keys and the values of every position
/// seen so far, <c>[batch, key_value_heads, length, head_dim]</c> (before the grouped-query repetition).
/// The tensors are detached from dispose scopes and owned by the cache.
/// </summary>
public sealed class LlamaKVCache : IKeyValueCache
{
    private readonly Tensor?[] _keys;
    private readonly Tensor?[] _values;

    /// <summary>Creates an empty cache for <paramref name="layerCount"/> layers.</summary>
    public LlamaKVCache(int layerCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(layerCount);
        _keys = new Tensor?[layerCount];
        _values = new Tensor?[layerCount];
    }

    /// <summary>Number of layers.</summary>
    public int LayerCount => _keys.Length;

    /// <inheritdoc />
    public long Length => _keys[0]?.shape[2] ?? 0;

    /// <summary>Cached keys of a layer, or null when empty (owned by the cache; do not dispose).</summary>
    public Tensor? Keys(int layer) => _keys[layer];

    /// <summary>Cached values of a layer, or null when empty (owned by the cache; do not dispose).</summary>
    public Tensor? Values(int layer) => _values[layer];

    /// <summary>
    /// Appends the new keys and values of <paramref name="layer"/> and returns all of them (cached + new). The returned
    /// tensors belong to the caller's dispose scope; the cache keeps its own detached references.
    /// </summary>
    public (Tensor Keys, Tensor Values) Update(int layer, Tensor keys, Tensor values)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(values);
        var allKeys = Append(ref _keys[layer], keys);
        var allValues = Append(ref _values[layer], values);
        return (allKeys, allValues);
    }

    /// <inheritdoc />
    public void Reset()
    {
        for (int i = 0; i < _keys.Length; i++)
        {
            _keys[i]?.Dispose();
            _values[i]?.Dispose();
            _keys[i] = null;
            _values[i] = null;
        }
    }

    /// <inheritdoc />
    public void Dispose() => Reset();

    private static Tensor Append(ref Tensor? slot, Tensor addition)
    {
        var all = slot is null ? addition : cat(new[] { slot, addition }, 2);
        var stored = all.detach().DetachFromDisposeScope();
        slot?.Dispose();
        slot = stored;
        return all;
    }
}
