namespace Microsoft.ML.Shira.Adapters.Layers;

/// <summary>
/// How <see cref="ShiraGradientPath.Auto"/> chooses between the sparse and the dense gradient path, from measurements
/// (docs/gpu.md, "Gradient path"):
/// <list type="bullet">
/// <item>Not on the CPU (CUDA and any other device): <see cref="ShiraGradientPath.Dense"/>. The sparse path's backward
/// there is a chain of gathers, which made a TinyLlama-shaped bfloat16 step on an H200 take 2,419.7 ms against 97.8 ms
/// for the dense path's one matrix product.</item>
/// <item>On the CPU: <see cref="ShiraGradientPath.Sparse"/> (its SIMD kernel, which also takes bfloat16/float16
/// activations) while the adapted share of the matrix, <c>k / (out·in)</c>, is at most
/// <see cref="CpuSparseMaxDensity"/> for float32/float64 or <see cref="CpuHalfSparseMaxDensity"/> for
/// bfloat16/float16; above it the dense product is faster.</item>
/// </list>
/// </summary>
public static class ShiraGradientPathRule
{
    /// <summary>Largest adapted share of a float32/float64 CPU matrix for which the sparse path is chosen.</summary>
    public const double CpuSparseMaxDensity = 0.05;

    /// <summary>Largest adapted share of a bfloat16/float16 CPU matrix for which the sparse path is chosen.</summary>
    public const double CpuHalfSparseMaxDensity = 0.05;

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
        double density = (double)trainableCount / Math.Max(1, outFeatures * inFeatures);
        double limit = dtype is ScalarType.BFloat16 or ScalarType.Float16 ? CpuHalfSparseMaxDensity : CpuSparseMaxDensity;
        return density <= limit ? ShiraGradientPath.Sparse : ShiraGradientPath.Dense;
    }
}
