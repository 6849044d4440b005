using Microsoft.ML.Shira.Adapters;
using Microsoft.ML.Shira.Adapters.Switching;
using Microsoft.ML.Shira.Generation;
using Microsoft.ML.Shira.Models.Pretrained;
using Microsoft.ML.Shira.TextGeneration.Training;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.TextGeneration.Inference;

/// <summary>
/// One base decoder shared by every view of a SHiRA text generator, its named adapters and the lock that keeps
/// generation consistent with switching.
/// </summary>
/// <remarks>
/// Thread-safety contract (as for the classifier): every generation (one prompt, all its tokens) and every perplexity
/// batch holds the read lock from the moment it checks which adapters are fused until it is done, so each runs with
/// one consistent adapter selection and several run concurrently. Fusing other adapters (a switch), adding and
/// removing adapters take the write lock: they wait for the work in flight and new work waits for them. Work whose
/// transformer wants other adapters than those fused switches them itself under the write lock (O(k) per switch).
/// </remarks>
internal sealed partial class GeneratorEngine : IDisposable
{
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly object _referencesGate = new();
    private readonly PretrainedDecoder _decoder;
    private readonly FusedAdapterSwitcher _switcher;
    private readonly List<string> _order = new();
    private readonly Dictionary<string, SparseAdapter> _adapters = new(StringComparer.Ordinal);
    private IReadOnlyList<(string Name, double Alpha)>? _fusedBody;
    private int _references = 1;
    private bool _disposed;

    /// <summary>Takes ownership of <paramref name="decoder"/> (its model must hold the plain base weights, on <paramref name="device"/>).</summary>
    public GeneratorEngine(ShiraDecoderBaseModel baseModel, PretrainedDecoder decoder, SequenceBuilder sequences, Device device)
    {
        BaseModel = baseModel;
        _decoder = decoder;
        Sequences = sequences;
        Device = device;
        var module = _decoder.Model.Module;
        module.eval();
        foreach (var parameter in module.parameters())
            parameter.requires_grad = false;
        _switcher = new FusedAdapterSwitcher(module);
        _fusedBody = DecoderAdapterSelection.BaseModel.Body;
    }

    public ShiraDecoderBaseModel BaseModel { get; }

    /// <summary>How texts become token sequences for perplexity (the training settings).</summary>
    public SequenceBuilder Sequences { get; }

    public Device Device { get; }

    /// <summary>Adapter names in the order they were added.</summary>
    public IReadOnlyList<string> AdapterNames => Read(() => _order.ToArray());

    public SparseAdapter GetAdapter(string name) => Read(() => Get(name));

    /// <summary>Registers an adapter.</summary>
    public void Add(SparseAdapter adapter) => Write(() =>
    {
        if (_adapters.ContainsKey(adapter.Name))
            throw new ArgumentException($"This model already has an adapter named '{adapter.Name}'; remove it first or rename the new one (SparseAdapter.WithName).", nameof(adapter));
        _switcher.Register(adapter);
        _adapters.Add(adapter.Name, adapter);
        _order.Add(adapter.Name);
    });

    /// <summary>Removes an adapter (restoring the base weights first when it is fused).</summary>
    public bool Remove(string name) => Write(() =>
    {
        if (!_adapters.Remove(name))
            return false;
        _order.Remove(name);
        _switcher.Unregister(name);
        if (_switcher.Active.Count == 0)
            _fusedBody = DecoderAdapterSelection.BaseModel.Body;
        return true;
    });

    /// <summary>Checks that every adapter of <paramref name="selection"/> exists.</summary>
    public void Check(DecoderAdapterSelection selection) => Read(() =>
    {
        foreach (string name in selection.Names)
            Get(name);
        return true;
    });

    /// <summary>Fuses the adapters of <paramref name="selection"/> now (waiting for work in flight).</summary>
    public void Activate(DecoderAdapterSelection selection) => Write(() => Fuse(selection));

    /// <summary>Generates a continuation of <paramref name="prompt"/> with the adapters of <paramref name="selection"/>.</summary>
    public GenerationResult Generate(DecoderAdapterSelection selection, string prompt, GenerationOptions options, Action<string>? onText, CancellationToken token) =>
        Run(selection, () => _decoder.Generator.Generate(prompt, options, onText, token));

    /// <summary>Summed loss of one batch with the adapters of <paramref name="selection"/>.</summary>
    public double BatchLoss(DecoderAdapterSelection selection, SequenceBatch batch) =>
        Run(selection, () => PerplexityMeter.BatchLoss(_decoder.Model, batch, Device));

    /// <summary>Another transformer shares this engine.</summary>
    public void AddReference()
    {
        lock (_referencesGate)
        {
            ThrowIfDisposed();
            _references++;
        }
    }

    /// <summary>A sharing transformer is done; the last one disposes the decoder.</summary>
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
            _adapters.Clear();
            _decoder.Dispose();
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Runs <paramref name="work"/> under the read lock with <paramref name="selection"/> fused (switching first under the write lock if needed).</summary>
    private T Run<T>(DecoderAdapterSelection selection, Func<T> work)
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
        _lock.EnterWriteLock();
        try
        {
            ThrowIfDisposed();
            Fuse(selection);
            return work();
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    private void Fuse(DecoderAdapterSelection selection)
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

    private SparseAdapter Get(string name) =>
        _adapters.TryGetValue(name, out var adapter)
            ? adapter
            : throw new KeyNotFoundException($"This model has no adapter named '{name}'. Its adapters: {string.Join(", ", _order.Select(n => $"'{n}'").DefaultIfEmpty("(none)"))}.");

    private T Read<T>(Func<T> action)
    {
        _lock.EnterReadLock();
        try
        {
            ThrowIfDisposed();
            return action();
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    private T Write<T>(Func<T> action)
    {
        _lock.EnterWriteLock();
        try
        {
            ThrowIfDisposed();
            return action();
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    private void Write(Action action) => Write(() =>
    {
        action();
        return true;
    });

    private void ThrowIfDisposed()
    {
        if (_disposed)
            throw new ObjectDisposedException(nameof(ShiraTextGenerationTransformer), ShiraTextGenerationTransformer.DisposedMessage);
    }
}
