using Microsoft.ML.Shira.Adapters;
using Microsoft.ML.Shira.Inference.Selections;
using Microsoft.ML.Shira.TextGeneration.Inference;

namespace Microsoft.ML.Shira.TextGeneration;

public sealed partial class ShiraTextGenerationTransformer
{
    /// <summary>Names of the adapters on the shared base model, in the order they were added (the trained one first).</summary>
    public IReadOnlyList<string> Adapters => _engine.AdapterNames;

    /// <summary>The adapters this transformer generates with, and their α (one adapter with α = 1 unless fused; empty for the base model).</summary>
    public IReadOnlyList<(string Name, double Alpha)> ActiveAdapters => _selection.Body;

    /// <summary>The sparse update of an adapter (indices and values per layer, with its metadata).</summary>
    /// <exception cref="KeyNotFoundException">No adapter has that name.</exception>
    public SparseAdapter GetAdapter(string name) => _engine.GetAdapter(name);

    /// <summary>Adds an adapter trained on the same base model (for example one loaded from a PEFT file).</summary>
    /// <exception cref="ArgumentException">The name is taken, or the adapter does not fit the base model.</exception>
    /// <exception cref="InvalidOperationException">The adapter was trained on other base weights (fingerprint mismatch).</exception>
    public void AddAdapter(SparseAdapter adapter)
    {
        ArgumentNullException.ThrowIfNull(adapter);
        ThrowIfDisposed();
        _engine.Add(adapter);
    }

    /// <summary>Removes an adapter from the shared model; other views that still select it fail on their next generation.</summary>
    /// <returns>False when no adapter has that name.</returns>
    /// <exception cref="InvalidOperationException">This transformer is using the adapter: switch to another one first.</exception>
    public bool RemoveAdapter(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        ThrowIfDisposed();
        _selection.ThrowIfInvolves(name);
        return _engine.Remove(name);
    }

    /// <summary>
    /// Generates with adapter <paramref name="name"/> from now on. The switch writes the adapter's k entries into the
    /// base weights (O(k), bit-exact restore of the previous ones).
    /// </summary>
    /// <remarks>
    /// Thread-safety contract: switching, fusing, adding and removing adapters may run while other threads use
    /// <see cref="Transform"/> cursors, prediction engines, <see cref="Generate"/> or <see cref="Perplexity"/> of this
    /// transformer. Every generation (all tokens of one row or prompt) and every perplexity batch holds a read lock while
    /// it runs, and switching takes the write lock, so a switch waits for the work in flight and each generation is
    /// computed entirely by one adapter selection: the one selected when it started. <see cref="Perplexity"/> uses the
    /// selection current when it is called for all its batches.
    /// </remarks>
    /// <exception cref="KeyNotFoundException">No adapter has that name.</exception>
    public void SwitchTo(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Select(DecoderAdapterSelection.Single(name));
    }

    /// <summary>Generates with the plain base model (no adapter) from now on, restoring its weights bit for bit. Same contract as <see cref="SwitchTo"/>.</summary>
    public void SwitchToBaseModel() => Select(DecoderAdapterSelection.BaseModel);

    /// <summary>
    /// Generates with several adapters fused into the weights, <c>W = W_base + Σ αᵢ·Sᵢ</c>. Same cost and
    /// thread-safety contract as <see cref="SwitchTo"/>.
    /// </summary>
    /// <exception cref="ArgumentException">No adapters, a name given twice, or a non-finite α.</exception>
    /// <exception cref="KeyNotFoundException">An adapter does not exist.</exception>
    public void Fuse(IReadOnlyList<(string Name, double Alpha)> adapters) => Select(Fusion(adapters));

    /// <summary>A new transformer sharing this one's base model and adapters, generating with <paramref name="selection"/>.</summary>
    internal ShiraTextGenerationTransformer CreateView(DecoderAdapterSelection selection)
    {
        ThrowIfDisposed();
        _engine.Check(selection);
        _engine.AddReference();
        return new ShiraTextGenerationTransformer(_context, _engine, _names, BatchSize, AppendsEndOfSequence, _generation, selection);
    }

    internal static DecoderAdapterSelection Fusion(IReadOnlyList<(string Name, double Alpha)> adapters)
    {
        FusionArguments.Check(adapters);
        return new DecoderAdapterSelection(adapters);
    }

    private void Select(DecoderAdapterSelection selection)
    {
        ThrowIfDisposed();
        _engine.Activate(selection);
        _selection = selection;
    }
}
