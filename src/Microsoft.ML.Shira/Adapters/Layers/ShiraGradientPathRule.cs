namespace Microsoft.ML.Shira.Adapters.Layers;

/// <summary>
/// How <see cref="ShiraGradientPath.Auto"/> chooses between the sparse and the dense gradient path, from measurements
/// (docs/gpu.md, "Gradient path"):
/// <list type="bullet">
/// <item>Not on the CPU (CUDA and any other device): <see cref="ShiraGradientPath.Dense"/>. The sparse path's backward
/// there is a chain of gathers, which made a TinyLlama-shaped bfloat16 step on an H200 take 2,419.7 ms against 97.8 ms
/// for the dense path's one matrix product.</item>
/// <item>On the CPU: <see cref="ShiraGradientPath.Sparse"/> (its SIMD kernel, which also takes bfloat16/float16
/// activations) for matrices of at least <see cref="CpuSparseMinElements"/> weights (float32/float64) or
/// <see cref="CpuHalfSparseMinElements"/> (bfloat16/float16) whose adapted share <c>k / (out·in)</c> is at most
/// <see cref="CpuSparseMaxDensity"/> or <see cref="CpuHalfSparseMaxDensity"/>; otherwise
/// <see cref="ShiraGradientPath.Dense"/>. Below those sizes the sparse function's fixed costs outweigh what it saves;
/// above those shares, and for smaller bfloat16 matrices (whose dense product runs on the CPU's bfloat16 units), the
/// dense product is as fast or faster.</item>
/// </list>
/// </summary>
public static class ShiraGradientPathRule
{
    /// <summary>Fewest weights (<c>out·in</c>) of a float32/float64 CPU matrix for which the sparse path is chosen: 2^17.</summary>
    public const long CpuSparseMinElements = 1L << 17;

    /// <summary>Largest adapted share of a float32/float64 CPU matrix for which the sparse path is chosen.</summary>
    public const double CpuSparseMaxDensity = 0.10;

    /// <summary>Fewest weights (<c>out·in</c>) of a bfloat16/float16 CPU matrix for which the sparse path is chosen: 2^20.</summary>
    public const long CpuHalfSparseMinElements = 1L << 20;

    /// <summary>Largest adapted share of a bfloat16/float16 CPU matrix for which the sparse path is chosen.</summary>
    public const double CpuHalfSparseMaxDensity = 0.03;

    /// <summary>The path <see cref="ShiraGradientPath.Auto"/> uses for a layer (never <see cref="ShiraGradientPath.Auto"/>).</summary>
    /// <param name="device">Device of the layer's weight.</param>
    /// <param name="dtype">Type of the layer's weight (and activations).</param>
    /// <param name="outFeatures">Rows of the weight.</param>
    /// <param name="inFeatures">Columns of the weight.</param>
    /// <param name="trainableCount">k, the number of trained entries.</param>
    public static ShiraGradientPath Choose(DeviceType device, ScalarType dtype, long outFeatures, long inFeatures, long trainableCount)
    {
        if (!ShiraSparseLinearFunction.KernelApplies(device, dtype))
            return ShiraGradientPath.Dense;
        long elements = outFeatures * inFeatures;
        bool half = dtype is ScalarType.BFloat16 or ScalarType.Float16;
        long minElements = half ? CpuHalfSparseMinElements : CpuSparseMinElements;
        double maxDensity = half ? CpuHalfSparseMaxDensity : CpuSparseMaxDensity;
        // Inclusive of a budget of exactly the limit, whose entry count is rounded (ShiraBudget.EntriesFor).
        long maxEntries = (long)Math.Ceiling(maxDensity * elements);
        return elements >= minElements && trainableCount <= maxEntries ? ShiraGradientPath.Sparse : ShiraGradientPath.Dense;
    }
}
