using Microsoft.ML.Shira.Adapters;
using Microsoft.ML.Shira.ModelFiles.BaseModels;
using Microsoft.ML.Shira.Models.Pretrained;

namespace Microsoft.ML.Shira.TextClassification.Inference;

/// <summary>Access to the shared encoder's weights for saving and exporting, under the engine's write lock.</summary>
internal sealed partial class ClassifierEngine
{
    private string? _baseFingerprint;

    /// <summary>
    /// SHA-256 over every tensor of the base encoder's state dict (see <see cref="BaseModelEntries.ComputeFingerprint"/>),
    /// computed once with no adapter fused. It identifies the exact base weights a saved model needs.
    /// </summary>
    public string BaseFingerprint => _baseFingerprint ?? WithBaseWeights(encoder => _baseFingerprint ??= ComputeBaseFingerprint(encoder));

    /// <summary>The base fingerprint of an encoder holding plain base weights.</summary>
    public static string ComputeBaseFingerprint(PretrainedEncoder encoder) => BaseModelEntries.ComputeFingerprint(encoder.Model);

    /// <summary>Records the base fingerprint already verified by a loader (so saving again does not recompute it).</summary>
    public void SetBaseFingerprint(string fingerprint) => _baseFingerprint = fingerprint;

    /// <summary>The adapters in order, each with its head, read consistently.</summary>
    public IReadOnlyList<(SparseAdapter Adapter, ShiraClassificationHead Head)> Snapshot() =>
        Read(() => _order.Select(name => (_entries[name].Adapter, _entries[name].Head)).ToArray());

    /// <summary>
    /// Runs <paramref name="action"/> on the encoder at its plain base weights (no adapter fused; batches wait), then
    /// fuses the previous adapters again.
    /// </summary>
    public T WithBaseWeights<T>(Func<PretrainedEncoder, T> action) => Write(() =>
    {
        var previous = _fusedBody;
        _fusedBody = null;
        _switcher.Deactivate();
        try
        {
            return action(_encoder);
        }
        finally
        {
            if (previous is not null)
            {
                _switcher.Activate(previous);
                _fusedBody = previous;
            }
        }
    });

    /// <summary>Fuses the adapters of <paramref name="selection"/> (they stay fused) and runs <paramref name="action"/> on the encoder.</summary>
    public T WithFused<T>(AdapterSelection selection, Func<PretrainedEncoder, T> action) => Write(() =>
    {
        Fuse(selection);
        return action(_encoder);
    });
}
