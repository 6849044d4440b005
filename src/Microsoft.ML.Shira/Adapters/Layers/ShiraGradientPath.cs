namespace Microsoft.ML.Shira.Adapters.Layers;

/// <summary>How a <see cref="ShiraLinear"/> computes the gradient of its k trainable values while training.</summary>
public enum ShiraGradientPath
{
    /// <summary>
    /// The default: a custom autograd function whose backward computes <c>∂L/∂v_i = α·Σ_t g[t, r_i]·x[t, c_i]</c> only at
    /// the k trained positions (gathering k columns of the output gradient and of the input, chunked over tokens), so the
    /// dense <c>[out, in]</c> weight gradient is never formed. Costs O(tokens·k) instead of O(tokens·in·out).
    /// Like PyTorch's own layers, the backward frees the input it saved as soon as it has run, so a graph is
    /// backpropagated once: a second backward through the same graph (<c>retain_graph</c>) needs <see cref="Dense"/>.
    /// </summary>
    Sparse = 0,

    /// <summary>
    /// The reference: <c>linear(x, W + α·scatter(v))</c> through ordinary autograd, which forms the dense
    /// <c>[out, in]</c> gradient of the effective weight and then reads it at the k positions.
    /// </summary>
    Dense = 1,
}
