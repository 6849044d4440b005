namespace Microsoft.ML.Shira.Adapters.Layers;

/// <summary>How a <see cref="ShiraLinear"/> computes the gradient of its k trainable values while training.</summary>
public enum ShiraGradientPath
{
    /// <summary>
    /// The default: a custom autograd function whose backward computes <c>∂L/∂v_i = α·Σ_t g[t, r_i]·x[t, c_i]</c> only at
    /// the k trained positions (gathering k columns of the output gradient and of the input, chunked over tokens), so the
    /// dense <c>[out, in]</c> weight gradient is never formed. Costs O(tokens·k) instead of O(tokens·in·out).
    /// With <see cref="ShiraLinear.FreeInputAfterBackward"/> the backward also frees the input it saved as soon as it has
    /// run (the library's trainers turn this on).
    /// </summary>
    Sparse = 0,

    /// <summary>
    /// The reference: <c>linear(x, W + α·scatter(v))</c> through ordinary autograd, which forms the dense
    /// <c>[out, in]</c> gradient of the effective weight and then reads it at the k positions.
    /// </summary>
    Dense = 1,
}
