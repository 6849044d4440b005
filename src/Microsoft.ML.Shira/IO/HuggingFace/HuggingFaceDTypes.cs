using Microsoft.ML.Shira.Checkpoints.HuggingFace;

namespace Microsoft.ML.Shira.IO.HuggingFace;

/// <summary>Names of floating-point dtypes as written in <c>config.json</c> (<c>torch_dtype</c>).</summary>
internal static class HuggingFaceDTypes
{
    /// <summary>The <c>torch_dtype</c> name of a floating-point scalar type (<c>float32</c>, <c>float16</c>, <c>bfloat16</c>, <c>float64</c>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a floating-point type.</exception>
    public static string ToName(ScalarType dtype) => dtype switch
    {
        ScalarType.Float32 => "float32",
        ScalarType.Float16 => "float16",
        ScalarType.BFloat16 => "bfloat16",
        ScalarType.Float64 => "float64",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Model weights must have a floating-point dtype (float32, float16, bfloat16 or float64)."),
    };

    /// <summary>True for the dtypes a model's weights may have.</summary>
    public static bool IsSupported(ScalarType dtype) =>
        dtype is ScalarType.Float32 or ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Float64;
}
