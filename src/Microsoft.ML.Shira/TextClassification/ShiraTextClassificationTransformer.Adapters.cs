using Microsoft.ML.Shira.Adapters;
using Microsoft.ML.Shira.Inference.Selections;
using Microsoft.ML.Shira.TextClassification.Inference;

namespace Microsoft.ML.Shira.TextClassification;

public sealed partial class ShiraTextClassificationTransformer
{
    /// <summary>Names of the adapters on the shared base model, in the order they were added (the trained one first).</summary>
    public IReadOnlyList<string> Adapters => _engine.AdapterNames;

    /// <summary>The adapters this transformer classifies with, and their α (one adapter with α = 1 unless fused).</summary>
    public IReadOnlyList<(string Name, double Alpha)> ActiveAdapters => _selection.Body;

    /// <summary>The adapter whose classifier head (and label set) this transformer uses.</summary>
    public string ActiveHead => _selection.Head;

    /// <summary>The sparse update of an adapter (indices and values per layer, with its metadata).</summary>
    /// <exception cref="KeyNotFoundException">No adapter has that name.</exception>
    public SparseAdapter GetAdapter(string name) => _engine.GetAdapter(name);

    /// <summary>The classifier head (weights and class names) of an adapter.</summary>
    /// <exception cref="KeyNotFoundException">No adapter has that name.</exception>
    public ShiraClassificationHead GetHead(string name) => _engine.GetHead(name);

    /// <summary>
    /// Adds an adapter trained on the same base model. Each adapter carries its own head because each task has its own
    /// classes: pass the head trained with the adapter. Without one (e.g. an adapter loaded from a PEFT file, which holds
    /// only the encoder update), the adapter shares a copy of the active head and its labels.
    /// </summary>
    /// <exception cref="ArgumentException">The name is taken, or the adapter or head does not fit the base model.</exception>
    /// <exception cref="InvalidOperationException">The adapter was trained on other base weights (fingerprint mismatch).</exception>
    public void AddAdapter(SparseAdapter adapter, ShiraClassificationHead? head = null)
    {
        ArgumentNullException.ThrowIfNull(adapter);
        _engine.Add(adapter, head ?? _engine.GetHead(_selection.Head));
    }

    /// <summary>Removes an adapter from the shared model; other views that still select it fail on their next batch.</summary>
    /// <returns>False when no adapter has that name.</returns>
    /// <exception cref="InvalidOperationException">This transformer is using the adapter: switch to another one first.</exception>
    public bool RemoveAdapter(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        _selection.ThrowIfInvolves(name);
        return _engine.Remove(name);
    }

    /// <summary>
    /// Classifies with adapter <paramref name="name"/> and its head from now on. The switch writes the adapter's k
    /// entries into the base weights (O(k), bit-exact restore of the previous ones).
    /// </summary>
    /// <remarks>
    /// Thread-safety contract: switching, fusing, adding and removing adapters may run while other threads use
    /// <see cref="Transform"/> cursors or prediction engines of this transformer. Every inference batch (a
    /// PredictionEngine call is a batch of one row) holds a read lock while it runs, and switching takes the write lock,
    /// so a switch waits for the batches in flight and each batch is computed entirely by one adapter selection:
    /// the one selected when the batch started. Rows of a cursor that cross a switch are therefore scored partly by the
    /// old and partly by the new adapter, batch by batch. If the new head has other labels than the head a data view or
    /// prediction engine was created with, its next batch throws <see cref="InvalidOperationException"/>: create it again.
    /// </remarks>
    /// <exception cref="KeyNotFoundException">No adapter has that name.</exception>
    public void SwitchTo(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Select(AdapterSelection.Single(name));
    }

    /// <summary>
    /// Classifies with several adapters fused into the weights, <c>W = W_base + Σ αᵢ·Sᵢ</c>, and the head of
    /// <paramref name="headAdapter"/> (default: the first adapter). Same cost and thread-safety contract as <see cref="SwitchTo"/>.
    /// </summary>
    /// <exception cref="ArgumentException">No adapters, a name given twice, or a non-finite α.</exception>
    /// <exception cref="KeyNotFoundException">An adapter does not exist.</exception>
    public void Fuse(IReadOnlyList<(string Name, double Alpha)> adapters, string? headAdapter = null) => Select(Fusion(adapters, headAdapter));

    /// <summary>A new transformer sharing this one's base model and adapters, classifying with <paramref name="selection"/>.</summary>
    internal ShiraTextClassificationTransformer CreateView(AdapterSelection selection)
    {
        ThrowIfDisposed();
        _engine.Check(selection);
        _engine.AddReference();
        return new ShiraTextClassificationTransformer(_context, _engine, _names, BatchSize, selection);
    }

    internal static AdapterSelection Fusion(IReadOnlyList<(string Name, double Alpha)> adapters, string? headAdapter)
    {
        FusionArguments.Check(adapters);
        return new AdapterSelection(adapters, headAdapter ?? adapters[0].Name);
    }

    private void Select(AdapterSelection selection)
    {
        ThrowIfDisposed();
        _engine.Activate(selection);
        _selection = selection;
    }
}
