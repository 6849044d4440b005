namespace Microsoft.ML.Shira.Adapters.Layers;

/// <summary>How a <see cref="ShiraLinear"/> computes the gradient of its k trainable values while training.</summary>
public enum ShiraGradientPath
{
    /// <summary>
    /// The default: <see cref="ShiraGradientPathRule.Choose"/> picks <see cref="Sparse"/> or <see cref="Dense"/> from the
    /// layer's device, weight type and size, whichever was measured faster there (docs/gpu.md, "Gradient path"): on a GPU
    /// always <see cref="Dense"/>; on the CPU <see cref="Sparse"/> unless the layer is so densely adapted that the
    /// dense product wins. <see cref="ShiraLinear.EffectiveGradientPath"/> tells which one a layer uses.
    /// </summary>
    Auto = 0,

    /// <summary>
    /// A custom autograd function whose backward computes <c>∂L/∂v_i = α·Σ_t g[t, r_i]·x[t, c_i]</c> only at the k
    /// trained positions, so the dense <c>[out, in]</c> weight gradient is never formed: on the CPU a SIMD kernel over
    /// transposed token chunks (bfloat16/float16 activations are widened to float32 there), elsewhere gathers of k
    /// columns of the output gradient and of the input, chunked over tokens. Costs O(tokens·k) instead of
    /// O(tokens·in·out), but the gathers are slow on a GPU. With <see cref="ShiraLinear.FreeInputAfterBackward"/> the
    /// backward also frees the input it saved as soon as it has run (the library's trainers turn this on).
    /// </summary>
    Sparse = 1,

    /// <summary>
    /// <c>linear(x, W + α·scatter(v))</c> through ordinary autograd, which forms the dense <c>[out, in]</c> gradient of
    /// the effective weight with one matrix product and then reads it at the k positions. The fast path on a GPU, and
    /// the reference the sparse path is tested against.
    /// </summary>
    Dense = 2,
}
