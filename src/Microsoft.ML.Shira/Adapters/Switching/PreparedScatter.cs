using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Adapters.Switching;

/// <summary>
/// An adapter's entries in one flat weight buffer, ready to scatter: positions in the buffer and, at those positions,
/// the base values and the fused values <c>W_base + α·S</c>, on the buffer's device and dtype. Applying and removing are
/// then one scatter each.
/// </summary>
internal sealed class PreparedScatter : IDisposable
{
    public PreparedScatter(Tensor target, Tensor indices, Tensor baseValues, Tensor fusedValues)
    {
        Target = target;
        Indices = indices;
        BaseValues = baseValues;
        FusedValues = fusedValues;
    }

    /// <summary>The flat buffer written into (not owned).</summary>
    public Tensor Target { get; }

    public Tensor Indices { get; }

    public Tensor BaseValues { get; }

    public Tensor FusedValues { get; }

    public void Dispose()
    {
        Indices.Dispose();
        BaseValues.Dispose();
        FusedValues.Dispose();
    }
}
