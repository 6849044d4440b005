using Microsoft.ML.Shira.Adapters;
using Microsoft.ML.Shira.ModelFiles.BaseModels;
using Microsoft.ML.Shira.Models.Pretrained;

namespace Microsoft.ML.Shira.TextGeneration.Inference;

/// <summary>Access to the shared decoder's weights for saving and exporting, under the engine's write lock.</summary>
internal sealed partial class GeneratorEngine
{
    private string? _baseFingerprint;

    /// <summary>
    /// SHA-256 over every tensor of the base decoder's state dict (see <see cref="BaseModelEntries.ComputeFingerprint"/>),
    /// computed once with no adapter fused. It identifies the exact base weights a saved model needs.
    /// </summary>
    public string BaseFingerprint => _baseFingerprint ?? WithBaseWeights(decoder => _baseFingerprint ??= ComputeBaseFingerprint(decoder));

    /// <summary>Ids at which generation stops by default.</summary>
    public IReadOnlyList<int> EndOfSequenceIds => _decoder.EndOfSequenceIds;

    /// <summary>The base fingerprint of a decoder holding plain base weights.</summary>
    public static string ComputeBaseFingerprint(PretrainedDecoder decoder) => BaseModelEntries.ComputeFingerprint(decoder.Model.Module);

    /// <summary>Records the base fingerprint already verified by a loader (so saving again does not recompute it).</summary>
    public void SetBaseFingerprint(string fingerprint) => _baseFingerprint = fingerprint;

    /// <summary>The adapters in the order they were added, read consistently.</summary>
    public IReadOnlyList<SparseAdapter> Snapshot() => Read(() => _order.Select(name => _adapters[name]).ToArray());

    /// <summary>
    /// Runs <paramref name="action"/> on the decoder at its plain base weights (no adapter fused; generation waits),
    /// then fuses the previous adapters again.
    /// </summary>
    public T WithBaseWeights<T>(Func<PretrainedDecoder, T> action) => Write(() =>
    {
        var previous = _fusedBody;
        _fusedBody = null;
        _switcher.Deactivate();
        try
        {
            return action(_decoder);
        }
        finally
        {
            if (previous is not null && previous.Count > 0)
                _switcher.Activate(previous);
            _fusedBody = previous;
        }
    });

    /// <summary>Fuses the adapters of <paramref name="selection"/> (they stay fused) and runs <paramref name="action"/> on the decoder.</summary>
    public T WithFused<T>(DecoderAdapterSelection selection, Func<PretrainedDecoder, T> action) => Write(() =>
    {
        Fuse(selection);
        return action(_decoder);
    });

    /// <summary>Runs <paramref name="action"/> on the decoder under the read lock (for reading its structure, not its weights).</summary>
    public T WithDecoder<T>(Func<PretrainedDecoder, T> action) => Read(() => action(_decoder));
}
