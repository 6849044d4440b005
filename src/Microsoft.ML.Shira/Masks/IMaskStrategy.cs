namespace Microsoft.ML.Shira.Masks;

/// <summary>Chooses which entries of one weight matrix a SHiRA adapter trains.</summary>
public interface IMaskStrategy
{
    /// <summary>The strategy's kind.</summary>
    MaskType Type { get; }

    /// <summary>
    /// Returns the sorted, distinct row-major flat positions (int64, shape <c>[k]</c>, on the CPU) of the
    /// <paramref name="count"/> trainable entries of <paramref name="weight"/> (<c>[out, in]</c>).
    /// </summary>
    /// <param name="modulePath">Module path of the layer (gradient-based masks look up their scores by it).</param>
    /// <param name="weight">The frozen base weight.</param>
    /// <param name="count">Number of entries to choose, 1 ≤ count ≤ out·in.</param>
    Tensor SelectIndices(string modulePath, Tensor weight, long count);
}
