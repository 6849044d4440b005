using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Training.Methods;

/// <summary>A CPU copy of every model parameter, to count (bit for bit) the entries that training changed.</summary>
internal sealed class ModelSnapshot : IDisposable
{
    private readonly List<(Parameter Parameter, Tensor Copy)> _copies;

    public ModelSnapshot(nn.Module model)
    {
        using var noGrad = no_grad();
        _copies = model.parameters().Select(p => (p, p.detach().cpu().clone())).ToList();
    }

    /// <summary>The parameters, in the model's order.</summary>
    public IReadOnlyList<Parameter> Parameters => _copies.Select(c => c.Parameter).ToList();

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
            var before = copy.contiguous();
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
