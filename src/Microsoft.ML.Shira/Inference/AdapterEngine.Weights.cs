using Microsoft.ML.Shira.Adapters;
using Microsoft.ML.Shira.Models;

namespace Microsoft.ML.Shira.Inference;

/// <summary>Access to the shared base model's weights for saving and exporting, under the engine's write lock.</summary>
internal abstract partial class AdapterEngine
{
    private string? _baseFingerprint;

    /// <summary>
    /// <see cref="BaseModelFingerprint.OfModel"/> of the base model, computed once with no adapter fused. It identifies
    /// the exact base weights a saved model needs.
    /// </summary>
    public string BaseFingerprint => _baseFingerprint ?? WithBaseWeights(() => _baseFingerprint ??= BaseModelFingerprint.OfModel(_module));

    /// <summary>The element type of the base model's weights, which model files record so a loaded model is rebuilt in it.</summary>
    public ShiraPrecision BasePrecision => Read(() => BaseModels.ShiraPrecisions.FromScalarType(BaseModels.ShiraPrecisions.WeightType(_module)) ?? ShiraPrecision.Float32);

    /// <summary>Records the base fingerprint already verified by a loader (so saving again does not recompute it).</summary>
    public void SetBaseFingerprint(string fingerprint) => _baseFingerprint = fingerprint;

    /// <summary>
    /// Module paths whose weights Hugging Face stores transposed (GPT-2's Conv1D), so adapter files use that layout; empty
    /// for other models.
    /// </summary>
    public IReadOnlySet<string>? FanInFanOutModules => Read(() => (_module as IHuggingFaceModel)?.FanInFanOutModules);

    /// <summary>
    /// Runs <paramref name="action"/> while the model holds its plain base weights (no adapter fused; other work waits),
    /// then fuses the previous adapters again.
    /// </summary>
    public T WithBaseWeights<T>(Func<T> action) => Write(() =>
    {
        var previous = _fusedBody;
        _fusedBody = null;
        _switcher.Deactivate();
        try
        {
            return action();
        }
        finally
        {
            if (previous is not null && previous.Count > 0)
                _switcher.Activate(previous);
            _fusedBody = previous;
        }
    });

    /// <summary>Fuses the adapters of <paramref name="selection"/> (they stay fused) and runs <paramref name="action"/>.</summary>
    public T WithFused<T>(FusedAdapterSelection selection, Func<T> action) => Write(() =>
    {
        Fuse(selection);
        return action();
    });
}
