using Microsoft.ML.Shira.Adapters;
using Microsoft.ML.Shira.Adapters.Switching;
using Microsoft.ML.Shira.Inference.Selections;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Inference.Engines;

/// <summary>
/// One base model shared by every view of a SHiRA transformer, its named adapters and the lock that keeps inference
/// consistent with switching. Subclasses add what the task keeps per adapter and how it runs the model.
/// </summary>
/// <typeparam name="TModel">The base model; the engine owns it and disposes it with itself.</typeparam>
/// <typeparam name="TEntry">What the engine keeps per adapter (at least the <see cref="SparseAdapter"/>).</typeparam>
/// <typeparam name="TSelection">What a transformer runs.</typeparam>
/// <remarks>
/// Thread-safety contract: work that runs the model (see <see cref="Run{T}"/>) holds the read lock from the moment it
/// checks which adapters are fused until it is done, so each piece of work runs with one consistent selection and
/// several run concurrently. Fusing other adapters (a switch), adding and removing adapters take the write lock: they
/// wait for the work in flight and new work waits for them. Work whose transformer wants other adapters than those fused
/// switches them itself under the write lock (O(k) per switch), so views on different adapters can share the model.
/// </remarks>
internal abstract partial class AdapterEngine<TModel, TEntry, TSelection> : IDisposable
    where TModel : IDisposable
    where TEntry : class
    where TSelection : FusedAdapterSelection
{
    private readonly object _referencesGate = new();
    private readonly FusedAdapterSwitcher _switcher;
    private readonly List<string> _order = new();
    private readonly Dictionary<string, TEntry> _entries = new(StringComparer.Ordinal);
    // The adapters fused into the weights (empty at the base weights); null while a switch is under way or after one failed,
    // so that the next selection fuses again.
    private IReadOnlyList<(string Name, double Alpha)>? _fusedBody = [];
    private int _references = 1;

    /// <summary>Takes ownership of <paramref name="model"/>, whose <paramref name="module"/> must hold the plain base weights, on <paramref name="device"/>.</summary>
    /// <param name="model">The base model.</param>
    /// <param name="module">The module of <paramref name="model"/> whose weights adapters are fused into.</param>
    /// <param name="device">The device the model is on.</param>
    /// <param name="ownerName">The transformer type named when a disposed engine is used.</param>
    /// <param name="disposedMessage">The message of that error.</param>
    protected AdapterEngine(TModel model, nn.Module module, Device device, string ownerName, string disposedMessage)
    {
        Model = model;
        _module = module;
        Device = device;
        _ownerName = ownerName;
        _disposedMessage = disposedMessage;
        module.eval();
        foreach (var parameter in module.parameters())
            parameter.requires_grad = false;
        _switcher = new FusedAdapterSwitcher(module);
    }

    /// <summary>The device the model runs on.</summary>
    public Device Device { get; }

    /// <summary>Adapter names in the order they were added.</summary>
    public IReadOnlyList<string> AdapterNames => Read(() => _order.ToArray());

    /// <summary>The base model; its weights change only under the write lock.</summary>
    protected TModel Model { get; }

    public SparseAdapter GetAdapter(string name) => Read(() => AdapterOf(Get(name)));

    /// <summary>Removes an adapter (restoring the base weights first when it is fused).</summary>
    public bool Remove(string name) => Write(() =>
    {
        if (!_entries.Remove(name, out var entry))
            return false;
        _order.Remove(name);
        _switcher.Unregister(name);
        if (_switcher.Active.Count == 0)
            _fusedBody = [];
        ReleaseEntry(entry);
        return true;
    });

    /// <summary>Checks that every adapter of <paramref name="selection"/> exists.</summary>
    /// <exception cref="KeyNotFoundException">An adapter does not exist.</exception>
    public void Check(TSelection selection) => Read(() =>
    {
        foreach (string name in selection.Names)
            Get(name);
        return true;
    });

    /// <summary>Fuses the adapters of <paramref name="selection"/> now (waiting for work in flight).</summary>
    public void Activate(TSelection selection) => Write(() => Fuse(selection));

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
                ReleaseEntry(entry);
            _entries.Clear();
            Model.Dispose();
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>The adapter an entry holds.</summary>
    protected abstract SparseAdapter AdapterOf(TEntry entry);

    /// <summary>Frees what an entry holds besides its adapter (called under the write lock once it is removed).</summary>
    protected virtual void ReleaseEntry(TEntry entry)
    {
    }

    /// <summary>Registers an adapter with the entry <paramref name="createEntry"/> makes for it.</summary>
    /// <exception cref="ArgumentException">The name is taken, or the adapter does not fit the base model.</exception>
    protected void AddEntry(SparseAdapter adapter, Func<TEntry> createEntry) => Write(() =>
    {
        if (_entries.ContainsKey(adapter.Name))
            throw new ArgumentException($"This model already has an adapter named '{adapter.Name}'; remove it first or rename the new one (SparseAdapter.WithName).", nameof(adapter));
        _switcher.Register(adapter);
        _entries.Add(adapter.Name, createEntry());
        _order.Add(adapter.Name);
    });

    /// <summary>The entries in the order their adapters were added, read consistently.</summary>
    protected IReadOnlyList<TEntry> Entries() => Read(() => _order.Select(name => _entries[name]).ToArray());

    /// <summary>The entry of adapter <paramref name="name"/>; callers hold a lock.</summary>
    /// <exception cref="KeyNotFoundException">No adapter has that name.</exception>
    protected TEntry Get(string name) =>
        _entries.TryGetValue(name, out var entry)
            ? entry
            : throw new KeyNotFoundException($"This model has no adapter named '{name}'. Its adapters: {string.Join(", ", _order.Select(n => $"'{n}'").DefaultIfEmpty("(none)"))}.");

    /// <summary>Runs <paramref name="work"/> under the read lock with <paramref name="selection"/> fused (switching first under the write lock if needed).</summary>
    protected T Run<T>(TSelection selection, Func<T> work)
    {
        _lock.EnterReadLock();
        try
        {
            ThrowIfDisposed();
            if (selection.SameBody(_fusedBody))
                return work();
        }
        finally
        {
            _lock.ExitReadLock();
        }
        return Write(() =>
        {
            Fuse(selection);
            return work();
        });
    }

    private void Fuse(TSelection selection)
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
