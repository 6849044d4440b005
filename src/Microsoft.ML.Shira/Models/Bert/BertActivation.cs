namespace Microsoft.ML.Shira.Models.Bert;

/// <summary>The feed-forward activations a <see cref="BertConfig"/> may name in <c>hidden_act</c>.</summary>
internal static class BertActivation
{
    /// <summary>Names accepted in <c>hidden_act</c>.</summary>
    public static IReadOnlyList<string> Supported { get; } = ["gelu", "relu"];

    public static bool IsSupported(string? name) => name is not null && Supported.Contains(name, StringComparer.Ordinal);

    /// <summary>Applies the activation; <c>gelu</c> is the exact erf form, as in Hugging Face's <c>GELUActivation</c>.</summary>
    public static Tensor Apply(string name, Tensor x) => name switch
    {
        "gelu" => nn.functional.gelu(x),
        "relu" => nn.functional.relu(x),
        _ => throw new NotSupportedException($"hidden_act '{name}' is not supported."),
    };
}
