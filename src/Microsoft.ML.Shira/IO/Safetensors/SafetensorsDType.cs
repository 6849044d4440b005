namespace Microsoft.ML.Shira.IO.Safetensors;

/// <summary>Maps safetensors dtype names to TorchSharp scalar types.</summary>
internal static class SafetensorsDType
{
    private static readonly Dictionary<string, (ScalarType Type, int Size)> ByName = new(StringComparer.Ordinal)
    {
        ["F64"] = (ScalarType.Float64, 8),
        ["F32"] = (ScalarType.Float32, 4),
        ["F16"] = (ScalarType.Float16, 2),
        ["BF16"] = (ScalarType.BFloat16, 2),
        ["I64"] = (ScalarType.Int64, 8),
        ["I32"] = (ScalarType.Int32, 4),
        ["I16"] = (ScalarType.Int16, 2),
        ["I8"] = (ScalarType.Int8, 1),
        ["U8"] = (ScalarType.Byte, 1),
        ["BOOL"] = (ScalarType.Bool, 1),
    };

    /// <summary>True when <paramref name="name"/> is a dtype this library reads.</summary>
    public static bool IsKnown(string name) => ByName.ContainsKey(name);

    /// <summary>Bytes per element of a dtype name.</summary>
    public static int ElementSize(string name) => ByName[name].Size;

    /// <summary>TorchSharp scalar type of a dtype name.</summary>
    public static ScalarType ToScalarType(string name) => ByName[name].Type;

    /// <summary>Safetensors dtype name of a TorchSharp scalar type.</summary>
    public static string FromScalarType(ScalarType type)
    {
        foreach (var (name, info) in ByName)
        {
            if (info.Type == type)
                return name;
        }
        throw new NotSupportedException($"Tensors of type {type} cannot be stored in safetensors by this library.");
    }
}
