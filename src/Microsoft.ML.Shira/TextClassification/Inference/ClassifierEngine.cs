using Microsoft.ML.Shira.Adapters;
using Microsoft.ML.Shira.Adapters.Switching;
using Microsoft.ML.Shira.Models.Bert;
using Microsoft.ML.Shira.Models.Pretrained;
using Microsoft.ML.Shira.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.TextClassification.Inference;

/// <summary>
/// One base encoder shared by every view of a SHiRA text classifier, its named adapters (each with its own head) and
/// the lock that keeps inference consistent with switching.
/// </summary>
/// <remarks>
/// Thread-safety contract: every inference batch holds the read lock from the moment it checks which adapters are
/// fused until its logits are on the CPU, so each batch runs one consistent (adapters, head) pair and batches run
/// concurrently. Fusing other adapters (a switch), adding and removing adapters take the write lock: they wait for
/// the batches in flight and batches wait for them. A batch whose transformer wants other adapters than those fused
/// switches them itself under the write lock (O(k) per switch), so views on different adapters can share the encoder.
/// </remarks>
internal sealed partial class ClassifierEngine : IDisposable
{
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly object _referencesGate = new();
    private readonly PretrainedEncoder _encoder;
    private readonly FusedAdapterSwitcher _switcher;
    private readonly List<string> _order = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private IReadOnlyList<(string Name, double Alpha)>? _fusedBody;
    private int _references = 1;
    private bool _disposed;

    /// <summary>Takes ownership of <paramref name="encoder"/> (its model must hold the plain base weights, in eval mode, on <paramref name="device"/>).</summary>
    public ClassifierEngine(ShiraBaseModel baseModel, PretrainedEncoder encoder, BertTextTokenizer tokenizer, Device device)
    {
        BaseModel = baseModel;
        _encoder = encoder;
        Tokenizer = tokenizer;
        Device = device;
        _encoder.Model.eval();
        foreach (var parameter in _encoder.Model.parameters())
            parameter.requires_grad = false;
        _switcher = new FusedAdapterSwitcher(_encoder.Model);
    }

    public ShiraBaseModel BaseModel { get; }

    public BertTextTokenizer Tokenizer { get; }

    public Device Device { get; }

    public int HiddenSize => (int)_encoder.Config.HiddenSize;

    /// <summary>Adapter names in the order they were added.</summary>
    public IReadOnlyList<string> AdapterNames => Read(() => _order.ToArray());

    public SparseAdapter GetAdapter(string name) => Read(() => Get(name).Adapter);

    public ShiraClassificationHead GetHead(string name) => Read(() => Get(name).Head);

    /// <summary>Registers an adapter and its head.</summary>
    public void Add(SparseAdapter adapter, ShiraClassificationHead head)
    {
        if (head.HiddenSize != HiddenSize)
            throw new ArgumentException($"The head of adapter '{adapter.Name}' reads {head.HiddenSize} features but {BaseModel.Id} produces {HiddenSize}.", nameof(head));
        Write(() =>
        {
            if (_entries.ContainsKey(adapter.Name))
                throw new ArgumentException($"This model already has an adapter named '{adapter.Name}'; remove it first or rename the new one (SparseAdapter.WithName).", nameof(adapter));
            _switcher.Register(adapter);
            var weight = tensor(head.WeightArray, [head.ClassCount, head.HiddenSize]).to(Device);
            var bias = tensor(head.BiasArray).to(Device);
            _entries.Add(adapter.Name, new Entry(adapter, head, weight, bias));
            _order.Add(adapter.Name);
        });
    }

    /// <summary>Removes an adapter (restoring the base weights first when it is fused).</summary>
    public bool Remove(string name) => Write(() =>
    {
        if (!_entries.Remove(name, out var entry))
            return false;
        _order.Remove(name);
        if (_fusedBody is not null && _fusedBody.Any(b => b.Name == name))
            _fusedBody = null;
        _switcher.Unregister(name);
        entry.Dispose();
        return true;
    });

    /// <summary>Fuses the adapters of <paramref name="selection"/> now (waiting for batches in flight).</summary>
    public void Activate(AdapterSelection selection) => Write(() => Fuse(selection));

    /// <summary>
    /// Tokenizes and classifies a batch with the adapters and head of <paramref name="selection"/>; returns the logits,
    /// row-major <c>[rows, classes]</c>.
    /// </summary>
    /// <param name="selection">Adapters to fuse and head to use.</param>
    /// <param name="expected">The head the caller's output schema was built for; the selected head must have the same labels.</param>
    /// <param name="first">First texts.</param>
    /// <param name="second">Second texts of pairs, or null.</param>
    public float[] Score(AdapterSelection selection, ShiraClassificationHead expected, IReadOnlyList<string> first, IReadOnlyList<string>? second)
    {
        ThrowIfDisposed();
        var tokens = second is null ? Tokenizer.Encode(first) : Tokenizer.EncodePairs(first.Zip(second).ToList());
        _lock.EnterReadLock();
        try
        {
            ThrowIfDisposed();
            if (selection.SameBody(_fusedBody))
                return Run(selection, expected, tokens);
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
            return Run(selection, expected, tokens);
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Another transformer shares this engine.</summary>
    public void AddReference()
    {
        lock (_referencesGate)
        {
            ThrowIfDisposed();
            _references++;
        }
    }

    /// <summary>A sharing transformer is done; the last one disposes the encoder.</summary>
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
                entry.Dispose();
            _entries.Clear();
            _encoder.Dispose();
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    private float[] Run(AdapterSelection selection, ShiraClassificationHead expected, TokenizedBatch tokens)
    {
        var head = Get(selection.Head);
        if (!head.Head.HasSameLabelsAs(expected))
            throw new InvalidOperationException(
                $"This data view or prediction engine was created for a head with {expected}, but its transformer now classifies with the head of " +
                $"'{selection.Head}' ({head.Head}). Call Transform or create the PredictionEngine again after switching to an adapter with other labels.");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var inputs = tokens.ToTensors(Device);
        var hidden = _encoder.Model.call(inputs.InputIds, inputs.AttentionMask, inputs.TokenTypeIds);
        var pooled = SentencePooling.Mean(hidden, inputs.AttentionMask);
        var logits = nn.functional.linear(pooled, head.Weight, head.Bias);
        return logits.to(ScalarType.Float32).cpu().data<float>().ToArray();
    }

    private void Fuse(AdapterSelection selection)
    {
        foreach (string name in selection.Names)
            Get(name);
        if (selection.SameBody(_fusedBody))
            return;
        _fusedBody = null;
        _switcher.Activate(selection.Body);
        _fusedBody = selection.Body;
    }

    private Entry Get(string name) =>
        _entries.TryGetValue(name, out var entry)
            ? entry
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

    private void Write(Action action)
    {
        _lock.EnterWriteLock();
        try
        {
            ThrowIfDisposed();
            action();
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    private void ThrowIfDisposed()
    {
        if (_disposed)
            throw new ObjectDisposedException(nameof(ShiraTextClassificationTransformer), ShiraTextClassificationTransformer.DisposedMessage);
    }

    private sealed record Entry(SparseAdapter Adapter, ShiraClassificationHead Head, Tensor Weight, Tensor Bias) : IDisposable
    {
        public void Dispose()
        {
            Weight.Dispose();
            Bias.Dispose();
        }
    }
}
