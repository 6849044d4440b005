namespace Microsoft.ML.Shira.BaseModels;

/// <summary>Conversions between <see cref="ShiraPrecision"/>, TorchSharp's element types and the names model files record.</summary>
internal static class ShiraPrecisions
{
    /// <summary>The TorchSharp element type of <paramref name="precision"/>.</summary>
    public static ScalarType ToScalarType(this ShiraPrecision precision) => precision switch
    {
        ShiraPrecision.Float32 => ScalarType.Float32,
        ShiraPrecision.BFloat16 => ScalarType.BFloat16,
        ShiraPrecision.Float16 => ScalarType.Float16,
        _ => throw new ArgumentOutOfRangeException(nameof(precision), precision, "Unknown precision."),
    };

    /// <summary>The precision of a model whose weights are <paramref name="dtype"/>, or null for a type trainers do not load.</summary>
    public static ShiraPrecision? FromScalarType(ScalarType dtype) => dtype switch
    {
        ScalarType.Float32 => ShiraPrecision.Float32,
        ScalarType.BFloat16 => ShiraPrecision.BFloat16,
        ScalarType.Float16 => ShiraPrecision.Float16,
        _ => null,
    };

    /// <summary>The element type of a model's weights: that of its first floating-point parameter (Float32 when it has none).</summary>
    public static ScalarType WeightType(nn.Module model) =>
        model.parameters().Select(p => p.dtype).FirstOrDefault(t => t is ScalarType.Float32 or ScalarType.BFloat16 or ScalarType.Float16 or ScalarType.Float64, ScalarType.Float32);

    /// <summary>The name a model file records, as PyTorch spells the type (<c>float32</c>, <c>bfloat16</c>, <c>float16</c>).</summary>
    public static string ToFileName(this ShiraPrecision precision) => precision switch
    {
        ShiraPrecision.BFloat16 => "bfloat16",
        ShiraPrecision.Float16 => "float16",
        _ => "float32",
    };

    /// <summary>The precision named <paramref name="name"/> in a model file, or null for an unknown name.</summary>
    public static ShiraPrecision? FromFileName(string name) => name switch
    {
        "float32" => ShiraPrecision.Float32,
        "bfloat16" => ShiraPrecision.BFloat16,
        "float16" => ShiraPrecision.Float16,
        _ => null,
    };
}
