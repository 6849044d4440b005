using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Adapters.Switching;

/// <summary>
/// One adapter layer ready to scatter: its indices and, at those indices, the base values and the fused values
/// <c>W_base + α·S</c>, all on the weight's device and dtype. Applying and removing are then one scatter each.
/// </summary>
internal sealed class PreparedLayer : IDisposable
{
    public PreparedLayer(string modulePath, Tensor indices, Tensor baseValues, Tensor fusedValues)
    {
        ModulePath = modulePath;
        Indices = indices;
        BaseValues = baseValues;
        FusedValues = fusedValues;
    }

    public string ModulePath { get; }

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
