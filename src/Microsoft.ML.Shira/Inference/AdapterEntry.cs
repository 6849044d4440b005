using Microsoft.ML.Shira.Adapters;

namespace Microsoft.ML.Shira.Inference;

/// <summary>What an <see cref="AdapterEngine"/> keeps per adapter: the adapter, and whatever its task adds (e.g. a head).</summary>
internal class AdapterEntry(SparseAdapter adapter)
{
    /// <summary>The adapter.</summary>
    public SparseAdapter Adapter { get; } = adapter;

    /// <summary>Frees what the entry holds besides its adapter (called under the write lock once it is removed).</summary>
    public virtual void Release()
    {
    }
}
