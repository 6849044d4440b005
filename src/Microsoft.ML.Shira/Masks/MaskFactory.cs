namespace Microsoft.ML.Shira.Masks;

/// <summary>Creates the <see cref="IMaskStrategy"/> for a <see cref="MaskType"/>.</summary>
public static class MaskFactory
{
    /// <summary>Creates the mask strategy of the given type.</summary>
    /// <param name="type">The kind of mask.</param>
    /// <param name="seed">Seed of <see cref="RandomMask"/> and of <see cref="StructMask"/>'s trimming/filling; unused by the others.</param>
    /// <param name="scores">
    /// Per-layer scores from <see cref="MaskCalibration.ComputeScores{TBatch}"/>: required for
    /// <see cref="MaskType.Gradient"/> and <see cref="MaskType.Snip"/>, ignored otherwise.
    /// </param>
    /// <param name="structAxes">Rows, columns or both, for <see cref="MaskType.Struct"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="scores"/> is null for a gradient or SNIP mask.</exception>
    public static IMaskStrategy Create(
        MaskType type,
        int seed,
        IReadOnlyDictionary<string, Tensor>? scores = null,
        StructMaskAxes structAxes = StructMaskAxes.Both) => type switch
    {
        MaskType.Struct => new StructMask(seed, structAxes),
        MaskType.Random => new RandomMask(seed),
        MaskType.WeightMagnitude => new WeightMagnitudeMask(),
        MaskType.Gradient => new GradientMask(scores ?? throw MissingScores(type)),
        MaskType.Snip => new SnipMask(scores ?? throw MissingScores(type)),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown MaskType."),
    };

    private static ArgumentNullException MissingScores(MaskType type) =>
        new("scores", $"A {type} mask needs per-layer scores; compute them with MaskCalibration.ComputeScores(MaskType.{type}, …).");
}
