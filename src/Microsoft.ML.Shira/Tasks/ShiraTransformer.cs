using Microsoft.ML.Data;
using Microsoft.ML.Shira.Adapters;
using Microsoft.ML.Shira.Inference;

namespace Microsoft.ML.Shira;

/// <summary>
/// What every SHiRA transformer is, whatever its task: one shared base model with named sparse adapters fused into its
/// weights (no inference overhead), adapters that can be added, removed, switched and fused on the live model, views
/// that share the model, and a lifetime that ends with <see cref="Dispose"/>. The task classes
/// (<see cref="TextClassification.ShiraTextClassificationTransformer"/>,
/// <see cref="TextGeneration.ShiraTextGenerationTransformer"/>) add their columns and outputs.
/// </summary>
/// <remarks>
/// <para>Thread safety: switching, fusing, adding and removing adapters may run while other threads use
/// <see cref="Transform"/> cursors or prediction engines of the transformer. Every unit of inference work (a batch of
/// rows, or one generation) holds a read lock while it runs and switching takes the write lock, so a switch waits for
/// the work in flight and each unit of work is computed entirely by one adapter selection: the one selected when it
/// started.</para>
/// <para>Lifetime: dispose the transformer to release its TorchSharp memory. Views made by
/// <c>mlContext.Shira().SwitchAdapter</c>/<c>FuseAdapters</c> share the model; the last one disposed releases it. As for
/// ML.NET's own TorchSharp transformers, a <c>PredictionEngine</c> created with default options owns its transformer and
/// disposes it with itself: pass <c>new PredictionEngineOptions { OwnsTransformer = false }</c> to keep using the model.</para>
/// <para>Saving: <c>mlContext.Model.Save</c> cannot hold TorchSharp weights and throws; SHiRA models are saved with
/// <c>mlContext.Shira().Model.Save</c>.</para>
/// </remarks>
public abstract partial class ShiraTransformer : ITransformer, IDisposable
{
    private readonly AdapterEngine _engine;
    private volatile FusedAdapterSelection _selection;
    private int _disposed;

    private protected ShiraTransformer(MLContext context, AdapterEngine engine, int batchSize, FusedAdapterSelection selection)
    {
        Context = context;
        _engine = engine;
        BatchSize = batchSize;
        _selection = selection;
    }

    /// <summary>Id of the base model every adapter was trained on (a Hugging Face id, or a folder path).</summary>
    public string BaseModelId => _engine.BaseModel.Id;

    /// <summary>Rows (or sequences) per forward pass of batched inference.</summary>
    public int BatchSize { get; }

    /// <summary>Always true: the transformer maps rows one by one (it supports <c>PredictionEngine</c>).</summary>
    public bool IsRowToRowMapper => true;

    /// <summary>Names of the adapters on the shared base model, in the order they were added (the trained one first).</summary>
    public IReadOnlyList<string> Adapters => _engine.AdapterNames;

    /// <summary>The adapters fused into the weights this transformer runs with, and their α (one adapter with α = 1 unless fused).</summary>
    public IReadOnlyList<(string Name, double Alpha)> ActiveAdapters => _selection.Body;

    /// <summary>The context the transformer was trained or loaded with.</summary>
    private protected MLContext Context { get; }

    /// <summary>The shared engine (base model and adapters).</summary>
    internal AdapterEngine Engine => _engine;

    /// <summary>The selection this transformer runs.</summary>
    internal FusedAdapterSelection Selection => _selection;

    /// <summary>What the task calls the transformer in messages, e.g. <c>text classifier</c>.</summary>
    private protected abstract string TaskName { get; }

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
        Register(adapter);
    }

    /// <summary>Removes an adapter from the shared model; other views that still select it fail on their next use.</summary>
    /// <returns>False when no adapter has that name.</returns>
    /// <exception cref="InvalidOperationException">This transformer is using the adapter: switch to another one first.</exception>
    public bool RemoveAdapter(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        ThrowIfDisposed();
        return _engine.Remove(name, () => _selection.ThrowIfInvolves(name));
    }

    /// <summary>
    /// Runs with adapter <paramref name="name"/> from now on. The switch writes the adapter's k entries into the base
    /// weights (O(k), bit-exact restore of the previous ones); see the thread-safety contract in the remarks.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No adapter has that name.</exception>
    public void SwitchTo(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Select(SingleAdapter(name));
    }

    /// <summary>
    /// Runs with several adapters fused into the weights, <c>W = W_base + Σ αᵢ·Sᵢ</c>, from now on. Same cost and
    /// thread-safety contract as <see cref="SwitchTo"/>.
    /// </summary>
    /// <exception cref="ArgumentException">No adapters, a name given twice, or a non-finite α.</exception>
    /// <exception cref="KeyNotFoundException">An adapter does not exist.</exception>
    public void Fuse(IReadOnlyList<(string Name, double Alpha)> adapters) => Select(Fusion(adapters));

    /// <summary>The input schema plus the task's output columns.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An input column is missing or has the wrong type.</exception>
    public abstract DataViewSchema GetOutputSchema(DataViewSchema inputSchema);

    /// <summary>A lazy view of <paramref name="input"/> with the task's outputs added, computed as cursors reach them.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An input column is missing or has the wrong type.</exception>
    public abstract IDataView Transform(IDataView input);

    /// <summary>A row-to-row mapper computing one row at a time (used by <c>PredictionEngine</c>).</summary>
    public abstract IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema);

    /// <summary>Always throws: ML.NET's model format cannot hold the TorchSharp weights, and a model file without them would be useless.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    void ICanSaveModel.Save(ModelSaveContext ctx) =>
        throw new NotSupportedException(
            $"{GetType().Name} cannot be saved with mlContext.Model.Save: ML.NET's model format has no place for its " +
            $"TorchSharp base model and SHiRA adapter weights, and a model saved without them could not run. " +
            "Save it with mlContext.Shira().Model.Save(...) instead.");

    /// <summary>Releases this transformer's share of the TorchSharp model; the last sharing transformer frees it.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
            _engine.Release();
    }

    /// <inheritdoc />
    public override string ToString() => $"SHiRA {TaskName} on {BaseModelId}: {_selection}; adapters {string.Join(", ", Adapters)}.";

    /// <summary>The message of the error for a disposed transformer of the task called <paramref name="taskName"/>.</summary>
    internal static string DisposedMessageFor(string taskName) =>
        $"This SHiRA {taskName} has been disposed. A PredictionEngine created with default options owns its transformer and disposes it " +
        "with itself; create engines with new PredictionEngineOptions { OwnsTransformer = false } to keep using the model.";

    /// <exception cref="ObjectDisposedException">The transformer is disposed.</exception>
    internal void ThrowIfDisposed()
    {
        if (_disposed != 0)
            throw new ObjectDisposedException(GetType().Name, DisposedMessageFor(TaskName));
    }

    /// <summary>A new transformer sharing this one's base model and adapters, running <paramref name="selection"/>.</summary>
    /// <exception cref="KeyNotFoundException">An adapter of the selection does not exist.</exception>
    internal ShiraTransformer CreateView(FusedAdapterSelection selection)
    {
        ThrowIfDisposed();
        _engine.Check(selection);
        _engine.AddReference();
        return WithSelection(selection);
    }

    /// <summary>The selection of adapter <paramref name="name"/> alone.</summary>
    internal FusedAdapterSelection SingleAdapterSelection(string name) => SingleAdapter(name);

    /// <summary>The selection of <paramref name="adapters"/> with their α, checked as <see cref="Fuse"/> documents.</summary>
    /// <exception cref="ArgumentException">No adapters, a name given twice, or a non-finite α.</exception>
    internal FusedAdapterSelection Fusion(IReadOnlyList<(string Name, double Alpha)> adapters)
    {
        FusionArguments.Check(adapters);
        return CreateFusion(adapters);
    }

    /// <summary>Fuses <paramref name="selection"/> now and runs it from now on.</summary>
    private protected void Select(FusedAdapterSelection selection)
    {
        ThrowIfDisposed();
        _engine.Activate(selection, () => _selection = selection);
    }

    /// <summary>Registers an adapter with whatever the task keeps with it.</summary>
    private protected abstract void Register(SparseAdapter adapter);

    /// <summary>The selection of one adapter with α = 1.</summary>
    private protected abstract FusedAdapterSelection SingleAdapter(string name);

    /// <summary>The task's selection fusing checked <paramref name="adapters"/>.</summary>
    private protected abstract FusedAdapterSelection CreateFusion(IReadOnlyList<(string Name, double Alpha)> adapters);

    /// <summary>A transformer of the same task sharing this one's engine (its reference already counted), running <paramref name="selection"/>.</summary>
    private protected abstract ShiraTransformer WithSelection(FusedAdapterSelection selection);
}
