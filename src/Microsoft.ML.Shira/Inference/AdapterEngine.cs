using Microsoft.ML.Shira.Adapters;
using Microsoft.ML.Shira.Adapters.Switching;

namespace Microsoft.ML.Shira.Inference;

/// <summary>
/// One base model shared by every view of a SHiRA transformer, its named adapters and the lock that keeps inference
/// consistent with switching. A task's engine adds what it keeps per adapter (an <see cref="AdapterEntry"/> subclass)
/// and how it runs the model.
/// </summary>
/// <remarks>
/// Thread-safety contract: work that runs the model (see <see cref="Run{TSelection, T}"/>) holds the read lock from the moment it
/// checks which adapters are fused until it is done, so each piece of work runs with one consistent selection and
/// several run concurrently. Fusing other adapters (a switch), adding and removing adapters take the write lock: they
/// wait for the work in flight and new work waits for them. Work whose transformer wants other adapters than those fused
/// switches them itself under the write lock (O(k) per switch), so views on different adapters can share the model.
/// </remarks>
internal abstract partial class AdapterEngine : IDisposable
{
    private readonly object _referencesGate = new();
    private readonly IDisposable _model;
    private readonly nn.Module _module;
    private readonly FusedAdapterSwitcher _switcher;
    private readonly List<string> _order = new();
    private readonly Dictionary<string, AdapterEntry> _entries = new(StringComparer.Ordinal);
    // The adapters fused into the weights (empty at the base weights); null while a switch is under way or after one failed,
    // so that the next selection fuses again.
    private IReadOnlyList<(string Name, double Alpha)>? _fusedBody = [];
    private int _references = 1;

    /// <summary>Takes ownership of <paramref name="model"/>, whose <paramref name="module"/> must hold the plain base weights, on <paramref name="device"/>.</summary>
    /// <param name="baseModel">The base model the adapters were trained on.</param>
    /// <param name="model">The loaded base model (disposed with the engine).</param>
    /// <param name="module">The module of <paramref name="model"/> whose weights adapters are fused into.</param>
    /// <param name="device">The device the model is on.</param>
    /// <param name="ownerName">The transformer type named when a disposed engine is used.</param>
    /// <param name="disposedMessage">The message of that error.</param>
    protected AdapterEngine(ShiraBaseModel baseModel, IDisposable model, nn.Module module, Device device, string ownerName, string disposedMessage)
    {
        BaseModel = baseModel;
        _model = model;
        _module = module;
        Device = device;
        _ownerName = ownerName;
        _disposedMessage = disposedMessage;
        module.eval();
        foreach (var parameter in module.parameters())
            parameter.requires_grad = false;
        _switcher = new FusedAdapterSwitcher(module);
    }

    /// <summary>The base model every adapter was trained on.</summary>
    public ShiraBaseModel BaseModel { get; }

    /// <summary>The device the model runs on.</summary>
    public Device Device { get; }

    /// <summary>Adapter names in the order they were added.</summary>
    public IReadOnlyList<string> AdapterNames => Read(() => _order.ToArray());

    public SparseAdapter GetAdapter(string name) => Read(() => Get(name).Adapter);

    /// <summary>The entries in the order their adapters were added, read consistently.</summary>
    public IReadOnlyList<AdapterEntry> Snapshot() => Read(() => _order.Select(name => _entries[name]).ToArray());

    /// <summary>
    /// Removes an adapter (restoring the base weights first when it is fused). <paramref name="throwIfInUse"/> runs under
    /// the write lock, so no selection change or work that started under a selection with the adapter is in flight.
    /// </summary>
    public bool Remove(string name, Action throwIfInUse) => Write(() =>
    {
        throwIfInUse();
        if (!_entries.Remove(name, out var entry))
            return false;
        _order.Remove(name);
        _switcher.Unregister(name);
        if (_switcher.Active.Count == 0)
            _fusedBody = [];
        entry.Release();
        return true;
    });

    /// <summary>Checks that every adapter of <paramref name="selection"/> exists.</summary>
    /// <exception cref="KeyNotFoundException">An adapter does not exist.</exception>
    public void Check(FusedAdapterSelection selection) => Read(() =>
    {
        foreach (string name in selection.Names)
            Get(name);
        return true;
    });

    /// <summary>
    /// Fuses the adapters of <paramref name="selection"/> now (waiting for work in flight) and calls
    /// <paramref name="selected"/> under the same write lock, so that a transformer's selection changes atomically with
    /// respect to removals and to work that reads it.
    /// </summary>
    public void Activate(FusedAdapterSelection selection, Action? selected = null) => Write(() =>
    {
        Fuse(selection);
        selected?.Invoke();
        return true;
    });

    /// <summary>Another transformer shares this engine.</summary>
    public void AddReference()
    {
        lock (_referencesGate)
        {
            ThrowIfDisposed();
            _references++;
        }
    }

    /// <summary>A sharing transformer is done; the last one disposes the base model.</summary>
    public void Release()
    {
        lock (_referencesGate)
        {
            if (--_references > 0)
                return;
        }
        Dispose();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _lock.EnterWriteLock();
        try
        {
            if (_disposed)
                return;
            _disposed = true;
            _switcher.Dispose();
            foreach (var entry in _entries.Values)
                entry.Release();
            _entries.Clear();
            _model.Dispose();
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Registers an adapter with its entry.</summary>
    /// <exception cref="ArgumentException">The name is taken, or the adapter does not fit the base model.</exception>
    protected void AddEntry(SparseAdapter adapter, Func<AdapterEntry> createEntry) => Write(() =>
    {
        if (_entries.ContainsKey(adapter.Name))
            throw new ArgumentException($"This model already has an adapter named '{adapter.Name}'; remove it first or rename the new one (SparseAdapter.WithName).", nameof(adapter));
        _switcher.Register(adapter);
        _entries.Add(adapter.Name, createEntry());
        _order.Add(adapter.Name);
    });

    /// <summary>The entry of adapter <paramref name="name"/>; callers hold a lock.</summary>
    /// <exception cref="KeyNotFoundException">No adapter has that name.</exception>
    protected AdapterEntry Get(string name) =>
        _entries.TryGetValue(name, out var entry)
            ? entry
            : throw new KeyNotFoundException($"This model has no adapter named '{name}'. Its adapters: {string.Join(", ", _order.Select(n => $"'{n}'").DefaultIfEmpty("(none)"))}.");

    /// <summary>
    /// Runs <paramref name="work"/> under the read lock with the selection <paramref name="current"/> returns fused
    /// (switching first under the write lock if needed). The selection is read under the lock, so the work runs with the
    /// transformer's selection of that moment and an adapter cannot be removed between that read and the work.
    /// </summary>
    protected T Run<TSelection, T>(Func<TSelection> current, Func<TSelection, T> work)
        where TSelection : FusedAdapterSelection
    {
        _lock.EnterReadLock();
        try
        {
            ThrowIfDisposed();
            var selection = current();
            if (selection.SameBody(_fusedBody))
                return work(selection);
        }
        finally
        {
            _lock.ExitReadLock();
        }
        return Write(() =>
        {
            var selection = current();
            Fuse(selection);
            return work(selection);
        });
    }

    private void Fuse(FusedAdapterSelection selection)
    {
        foreach (string name in selection.Names)
            Get(name);
        if (selection.SameBody(_fusedBody))
            return;
        _fusedBody = null;
        if (selection.Body.Count == 0)
            _switcher.Deactivate();
        else
            _switcher.Activate(selection.Body);
        _fusedBody = selection.Body;
    }
}
