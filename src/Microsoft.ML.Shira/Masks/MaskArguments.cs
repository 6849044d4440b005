namespace Microsoft.ML.Shira.Masks;

/// <summary>Argument checks shared by every <see cref="IMaskStrategy"/>.</summary>
internal static class MaskArguments
{
    /// <summary>
    /// Checks that <paramref name="modulePath"/> is set, <paramref name="weight"/> is a 2-D <c>[out, in]</c>
    /// matrix and 1 ≤ <paramref name="count"/> ≤ out·in; returns the weight's shape.
    /// </summary>
    public static (long OutFeatures, long InFeatures) Validate(string modulePath, Tensor weight, long count)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modulePath);
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.IsInvalid)
            throw new ObjectDisposedException(nameof(weight), $"Layer '{modulePath}': the weight tensor has been disposed.");
        if (weight.dim() != 2)
            throw new ArgumentException($"Layer '{modulePath}': the weight must be a 2-D [out, in] matrix, got shape {Shape(weight)}.", nameof(weight));
        long outFeatures = weight.shape[0];
        long inFeatures = weight.shape[1];
        long total = outFeatures * inFeatures;
        if (total == 0)
            throw new ArgumentException($"Layer '{modulePath}': the weight has no entries (shape {Shape(weight)}).", nameof(weight));
        if (count < 1 || count > total)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"Layer '{modulePath}': count must be in [1, {total}] (out·in of a {Shape(weight)} weight).");
        return (outFeatures, inFeatures);
    }

    /// <summary>Formats a tensor's shape as <c>[a, b, …]</c>.</summary>
    public static string Shape(Tensor tensor) => "[" + string.Join(", ", tensor.shape) + "]";
}
