namespace Microsoft.ML.Shira.Models;

/// <summary>
/// A key/value cache that keeps, per decoder layer, the keys and values of every position seen so far as
/// <c>[batch, heads, length, head_dim]</c> tensors, appended along the length dimension. The tensors are detached from
/// dispose scopes and owned by the cache. Base of the caches of <see cref="Llama.LlamaForCausalLM"/> and
/// <see cref="Gpt2.Gpt2LMHeadModel"/>.
/// </summary>
internal abstract class LayerKeyValueCache : IKeyValueCache
{
    private readonly Tensor?[] _keys;
    private readonly Tensor?[] _values;

    /// <summary>Creates an empty cache for <paramref name="layerCount"/> layers.</summary>
    protected LayerKeyValueCache(int layerCount)
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
    public void Dispose()
    {
        Reset();
        GC.SuppressFinalize(this);
    }

    private static Tensor Append(ref Tensor? slot, Tensor addition)
    {
        var all = slot is null ? addition : cat(new[] { slot, addition }, 2);
        var stored = all.detach().DetachFromDisposeScope();
        slot?.Dispose();
        slot = stored;
        return all;
    }
}
