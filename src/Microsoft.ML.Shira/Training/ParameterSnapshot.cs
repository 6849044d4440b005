using TorchSharp.Modules;

namespace Microsoft.ML.Shira.Training;

/// <summary>
/// A copy of some parameters: to restore them (the best epoch's values) or to count, bit for bit, the entries that
/// training changed (full fine-tuning and head-only summaries).
/// </summary>
internal sealed class ParameterSnapshot : IDisposable
{
    private readonly List<(Parameter Parameter, Tensor Copy)> _copies;

    private ParameterSnapshot(List<(Parameter, Tensor)> copies) => _copies = copies;

    /// <summary>The parameters, in the order they were captured.</summary>
    public IReadOnlyList<Parameter> Parameters => _copies.Select(c => c.Parameter).ToList();

    /// <summary>Copies <paramref name="parameters"/>, onto <paramref name="device"/> when given (e.g. the CPU), else next to each parameter.</summary>
    public static ParameterSnapshot Capture(IEnumerable<Parameter> parameters, Device? device = null)
    {
        using var noGrad = no_grad();
        var copies = new List<(Parameter, Tensor)>();
        foreach (var parameter in parameters)
        {
            using var detached = parameter.detach();
            if (device is null)
            {
                copies.Add((parameter, detached.clone()));
                continue;
            }
            // to() returns a view of the same storage when the parameter is already there; clone() makes the copy independent.
            using var placed = detached.to(device);
            copies.Add((parameter, placed.clone()));
        }
        return new ParameterSnapshot(copies);
    }

    /// <summary>A snapshot holding copies of <paramref name="values"/> (one per parameter, e.g. read from a checkpoint), next to each parameter.</summary>
    public static ParameterSnapshot FromValues(IReadOnlyList<Parameter> parameters, IReadOnlyList<Tensor> values)
    {
        if (parameters.Count != values.Count)
            throw new ArgumentException($"{values.Count} values for {parameters.Count} parameters.", nameof(values));
        using var noGrad = no_grad();
        var copies = new List<(Parameter, Tensor)>(parameters.Count);
        for (int i = 0; i < parameters.Count; i++)
        {
            using var placed = values[i].to(parameters[i].dtype, parameters[i].device);
            copies.Add((parameters[i], placed.clone()));
        }
        return new ParameterSnapshot(copies);
    }

    /// <summary>The copied values, in the parameters' order.</summary>
    public IReadOnlyList<Tensor> Values => _copies.Select(c => c.Copy).ToList();

    /// <summary>Writes the copied values back into the parameters.</summary>
    public void Restore()
    {
        using var noGrad = no_grad();
        foreach (var (parameter, copy) in _copies)
            parameter.copy_(copy);
    }

    /// <summary>Entries whose current value is not bit-identical to the copy (a NaN counts as changed).</summary>
    public long CountChanged()
    {
        long changed = 0;
        using var noGrad = no_grad();
        foreach (var (parameter, copy) in _copies)
        {
            using var scope = NewDisposeScope();
            // Bitwise, element by element over the raw bytes, so −0/+0 and NaNs are told apart.
            var now = parameter.detach().cpu().contiguous();
            var before = copy.cpu().contiguous();
            int size = (int)now.ElementSize;
            ReadOnlySpan<byte> a = now.bytes, b = before.bytes;
            for (int i = 0; i < a.Length; i += size)
            {
                if (!a.Slice(i, size).SequenceEqual(b.Slice(i, size)))
                    changed++;
            }
        }
        return changed;
    }

    public void Dispose() => _copies.ForEach(c => c.Copy.Dispose());
}
