namespace Microsoft.ML.Shira.Adapters.Switching;

/// <summary>
/// An adapter's entries in one flat weight buffer, ready to scatter: ascending positions in the buffer and, at those
/// positions, the base values and the fused values <c>W_base + α·S</c>, on the buffer's device and dtype. Applying and
/// removing are then one write each (see <see cref="ScatterKernel"/>).
/// </summary>
internal sealed class PreparedScatter(Tensor target, Tensor indices, Tensor baseValues, Tensor fusedValues) : IDisposable
{
    private readonly bool _direct = ScatterKernel.SupportsDirect(target, indices, baseValues) && ScatterKernel.SupportsDirect(target, indices, fusedValues);

    /// <summary>The flat buffer written into (not owned).</summary>
    public Tensor Target { get; } = target;

    public Tensor Indices { get; } = indices;

    public Tensor BaseValues { get; } = baseValues;

    public Tensor FusedValues { get; } = fusedValues;

    /// <summary>True when writes go through <see cref="ScatterKernel.TryWriteDirect"/> (while the target stays contiguous).</summary>
    public bool UsesDirectPath => _direct;

    /// <summary>Writes the fused values.</summary>
    public void Apply() => Write(FusedValues);

    /// <summary>Writes the base values back.</summary>
    public void Restore() => Write(BaseValues);

    public void Dispose()
    {
        Indices.Dispose();
        BaseValues.Dispose();
        FusedValues.Dispose();
    }

    private void Write(Tensor values)
    {
        if (!(_direct && ScatterKernel.TryWriteDirect(Target, Indices, values)))
            ScatterKernel.WriteWithTorch(Target, Indices, values);
    }
}
