using TorchSharp.Modules;

namespace Microsoft.ML.Shira.Models;

/// <summary>
/// Random initialisation of the models' layers, and a scope that skips it. A checkpoint loader overwrites every
/// parameter right after building the model, so drawing random values first is wasted work: on a 7B model it is two
/// passes of a random generator over 13 GB (TorchSharp's Kaiming init in <c>nn.Linear</c>, then Hugging Face's normal
/// init). Inside <see cref="SkipRandomInit"/> layers are allocated uninitialised (<c>torch.empty</c>).
/// </summary>
internal static class ParameterInit
{
    private static readonly AsyncLocal<bool> Skipping = new();

    /// <summary>Until disposed, layers built on this asynchronous flow are left uninitialised.</summary>
    public static IDisposable SkipRandomInit()
    {
        bool previous = Skipping.Value;
        Skipping.Value = true;
        return new Restore(() => Skipping.Value = previous);
    }

    /// <summary>True inside <see cref="SkipRandomInit"/>.</summary>
    public static bool IsSkipped => Skipping.Value;

    /// <summary>
    /// <c>nn.Linear(inFeatures, outFeatures)</c> with its default init (Kaiming uniform, uniform bias), or uninitialised
    /// inside <see cref="SkipRandomInit"/>.
    /// </summary>
    public static Linear Linear(long inFeatures, long outFeatures, bool hasBias = true, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        if (!IsSkipped)
            return nn.Linear(inFeatures, outFeatures, hasBias, device, dtype);
        var weight = new Parameter(empty(outFeatures, inFeatures, dtype, device ?? CPU));
        var bias = hasBias ? new Parameter(empty(outFeatures, dtype, device ?? CPU)) : null;
        return nn.Linear(weight, bias);
    }

    /// <summary>Fills <paramref name="weight"/> from N(0, <paramref name="std"/>²) unless inside <see cref="SkipRandomInit"/>.</summary>
    public static void Normal(Tensor weight, double std = 1.0)
    {
        if (IsSkipped)
            return;
        using var noGrad = no_grad();
        nn.init.normal_(weight, 0.0, std);
    }

    private sealed class Restore(Action restore) : IDisposable
    {
        public void Dispose() => restore();
    }
}
