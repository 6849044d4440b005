using Microsoft.ML.Shira.ModelFiles.BaseRecords;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Inference.Engines;

/// <summary>Access to the shared base model's weights for saving and exporting, under the engine's write lock.</summary>
internal abstract partial class AdapterEngine<TModel, TEntry, TSelection>
{
    private readonly nn.Module _module;
    private string? _baseFingerprint;

    /// <summary>
    /// SHA-256 over every tensor of the base model's state dict (see <see cref="BaseModelSettings.ComputeFingerprint"/>),
    /// computed once with no adapter fused. It identifies the exact base weights a saved model needs.
    /// </summary>
    public string BaseFingerprint => _baseFingerprint ?? WithBaseWeights(_ => _baseFingerprint ??= BaseModelSettings.ComputeFingerprint(_module));

    /// <summary>Records the base fingerprint already verified by a loader (so saving again does not recompute it).</summary>
    public void SetBaseFingerprint(string fingerprint) => _baseFingerprint = fingerprint;

    /// <summary>
    /// Runs <paramref name="action"/> on the model at its plain base weights (no adapter fused; other work waits), then
    /// fuses the previous adapters again.
    /// </summary>
    public T WithBaseWeights<T>(Func<TModel, T> action) => Write(() =>
    {
        var previous = _fusedBody;
        _fusedBody = null;
        _switcher.Deactivate();
        try
        {
            return action(Model);
        }
        finally
        {
            if (previous is not null && previous.Count > 0)
                _switcher.Activate(previous);
            _fusedBody = previous;
        }
    });

    /// <summary>Fuses the adapters of <paramref name="selection"/> (they stay fused) and runs <paramref name="action"/> on the model.</summary>
    public T WithFused<T>(TSelection selection, Func<TModel, T> action) => Write(() =>
    {
        Fuse(selection);
        return action(Model);
    });
}
