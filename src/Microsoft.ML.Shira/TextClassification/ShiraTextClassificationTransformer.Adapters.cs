using Microsoft.ML.Shira.Adapters;
using Microsoft.ML.Shira.Inference;
using Microsoft.ML.Shira.TextClassification.Inference;

namespace Microsoft.ML.Shira.TextClassification;

public sealed partial class ShiraTextClassificationTransformer
{
    /// <summary>The adapter whose classifier head (and label set) this transformer uses.</summary>
    public string ActiveHead => Current.Head;

    /// <summary>The selection this transformer classifies with.</summary>
    private ClassifierSelection Current => (ClassifierSelection)Selection;

    /// <summary>The classifier head (weights and class names) of an adapter.</summary>
    /// <exception cref="KeyNotFoundException">No adapter has that name.</exception>
    public ShiraClassificationHead GetHead(string name) => _engine.GetHead(name);

    /// <summary>
    /// Adds an adapter trained on the same base model with the head trained with it: each adapter carries its own head
    /// because each task has its own classes. An adapter added without a head (<see cref="ShiraTransformer.AddAdapter(SparseAdapter)"/>,
    /// e.g. one loaded from a PEFT file, which holds only the encoder update) shares a copy of the active head and its labels.
    /// </summary>
    /// <exception cref="ArgumentException">The name is taken, or the adapter or head does not fit the base model.</exception>
    /// <exception cref="InvalidOperationException">The adapter was trained on other base weights (fingerprint mismatch).</exception>
    public void AddAdapter(SparseAdapter adapter, ShiraClassificationHead head)
    {
        ArgumentNullException.ThrowIfNull(adapter);
        ArgumentNullException.ThrowIfNull(head);
        ThrowIfDisposed();
        _engine.Add(adapter, head);
    }

    /// <summary>
    /// Classifies with several adapters fused into the weights, <c>W = W_base + Σ αᵢ·Sᵢ</c>, and the head of
    /// <paramref name="headAdapter"/>. Same cost and thread-safety contract as <see cref="ShiraTransformer.SwitchTo"/>.
    /// </summary>
    /// <exception cref="ArgumentException">No adapters, a name given twice, or a non-finite α.</exception>
    /// <exception cref="KeyNotFoundException">An adapter does not exist.</exception>
    public void Fuse(IReadOnlyList<(string Name, double Alpha)> adapters, string headAdapter)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(headAdapter);
        Select(ClassifierSelection.Fusion(adapters, headAdapter));
    }

    private protected override void Register(SparseAdapter adapter) => _engine.Add(adapter, _engine.GetHead(Current.Head));

    private protected override FusedAdapterSelection SingleAdapter(string name) => ClassifierSelection.Single(name);

    /// <summary>Fuses with the head of the first adapter.</summary>
    private protected override FusedAdapterSelection CreateFusion(IReadOnlyList<(string Name, double Alpha)> adapters) =>
        new ClassifierSelection(adapters, adapters[0].Name);

    private protected override ShiraTransformer WithSelection(FusedAdapterSelection selection) =>
        new ShiraTextClassificationTransformer(Context, _engine, _names, BatchSize, (ClassifierSelection)selection);
}
