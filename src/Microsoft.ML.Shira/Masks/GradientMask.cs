namespace Microsoft.ML.Shira.Masks;

/// <summary>
/// The <c>count</c> entries of largest accumulated |∂L/∂w| over a calibration set (SHiRA-Grad). The scores come from
/// <see cref="MaskCalibration.ComputeScores{TBatch}"/> with <see cref="MaskType.Gradient"/>; ties are broken in
/// favour of the lower row-major position.
/// </summary>
/// <remarks>The mask reads the score tensors but does not own them: keep them alive while the mask is in use, then dispose them.</remarks>
public sealed class GradientMask : IMaskStrategy
{
    private readonly IReadOnlyDictionary<string, Tensor> _scores;

    /// <summary>Creates a gradient mask from per-layer scores keyed by module path.</summary>
    /// <param name="scores">Accumulated |∂L/∂w| of every layer to mask, each shaped like that layer's weight.</param>
    public GradientMask(IReadOnlyDictionary<string, Tensor> scores) => _scores = CalibratedScores.Capture(scores, nameof(scores));

    /// <inheritdoc />
    public MaskType Type => MaskType.Gradient;

    /// <summary>Module paths that have a score.</summary>
    public IEnumerable<string> ScoredModules => _scores.Keys;

    /// <inheritdoc />
    /// <exception cref="KeyNotFoundException">The layer has no score.</exception>
    public Tensor SelectIndices(string modulePath, Tensor weight, long count) =>
        CalibratedScores.Select(_scores, Type, modulePath, weight, count);
}
