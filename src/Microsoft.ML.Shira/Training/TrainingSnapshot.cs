using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Training;

/// <summary>A copy of the trainable tensors (adapter values and head) at the best epoch so far.</summary>
internal sealed class TrainingSnapshot : IDisposable
{
    private readonly List<(Parameter Parameter, Tensor Copy)> _copies;

    private TrainingSnapshot(List<(Parameter, Tensor)> copies) => _copies = copies;

    public static TrainingSnapshot Capture(IEnumerable<Parameter> parameters)
    {
        using var noGrad = no_grad();
        var copies = new List<(Parameter, Tensor)>();
        foreach (var parameter in parameters)
        {
            using var detached = parameter.detach();
            copies.Add((parameter, detached.clone()));
        }
        return new TrainingSnapshot(copies);
    }

    public void Restore()
    {
        using var noGrad = no_grad();
        foreach (var (parameter, copy) in _copies)
            parameter.copy_(copy);
    }

    public void Dispose() => _copies.ForEach(c => c.Copy.Dispose());
}
