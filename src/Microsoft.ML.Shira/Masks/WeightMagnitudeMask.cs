namespace Microsoft.ML.Shira.Masks;

/// <summary>
/// The <c>count</c> entries of largest |w| in each layer (SHiRA-WM). Scores are computed in float32 on the weight's
/// device; ties are broken in favour of the lower row-major position.
/// </summary>
public sealed class WeightMagnitudeMask : IMaskStrategy
{
    /// <inheritdoc />
    public MaskType Type => MaskType.WeightMagnitude;

    /// <inheritdoc />
    public Tensor SelectIndices(string modulePath, Tensor weight, long count)
    {
        MaskArguments.Validate(modulePath, weight, count);
        using var scope = NewDisposeScope();
        var magnitude = weight.detach().to(ScalarType.Float32).abs();
        return StableTopK.Select(magnitude, count, modulePath).MoveToOuterDisposeScope();
    }
}
