using Microsoft.ML.Shira.Runtime;

namespace Microsoft.ML.Shira.Models.Gpt2;

/// <summary>
/// The MLP activations a GPT-2 config may name in <c>activation_function</c>, computed as Hugging Face's
/// <c>ACT2FN</c> does. GPT-2 uses <c>gelu_new</c>: <c>0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))</c>.
/// </summary>
internal static class Gpt2Activation
{
    /// <summary>The supported names.</summary>
    public static IReadOnlyList<string> Supported { get; } = new[]
    {
        "gelu_new", "gelu_pytorch_tanh", "gelu_fast", "gelu", "quick_gelu", "relu", "silu", "swish", "tanh",
    };

    /// <summary>Applies the activation <paramref name="name"/> to <paramref name="input"/>.</summary>
    /// <exception cref="ArgumentException">Unsupported name.</exception>
    public static Tensor Apply(string name, Tensor input)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(input);
        using var scope = NewDisposeScope();
        var result = name switch
        {
            "gelu_new" or "gelu_pytorch_tanh" or "gelu_fast" => TanhGelu(input),
            "gelu" => nn.functional.gelu(input),
            "quick_gelu" => input.mul(nn.functional.sigmoid(input.Times(1.702))),
            "relu" => nn.functional.relu(input),
            "silu" or "swish" => nn.functional.silu(input),
            "tanh" => input.tanh(),
            _ => throw new ArgumentException($"Activation '{name}' is not supported (supported: {string.Join(", ", Supported)}).", nameof(name)),
        };
        return result.MoveToOuterDisposeScope();
    }

    private static Tensor TanhGelu(Tensor x)
    {
        double c = Math.Sqrt(2.0 / Math.PI);
        return x.Times(0.5).mul(x.Plus(x.Power(3).Times(0.044715)).Times(c).tanh().Plus(1.0));
    }
}
