using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Microsoft.ML.Shira.Checkpoints.Onnx;

namespace Microsoft.ML.Shira.IO.Onnx;

/// <summary>An ONNX <c>TensorProto</c>: an initializer or a <c>Constant</c> node's value. Raw data is not copied.</summary>
internal sealed class OnnxTensor
{
    public const int TypeFloat = 1;
    public const int TypeInt32 = 6;
    public const int TypeInt64 = 7;

    public required string Name { get; init; }
    public required long[] Dims { get; init; }
    public required int DataType { get; init; }
    public ReadOnlyMemory<byte> RawData { get; init; }
    public IReadOnlyList<float> FloatData { get; init; } = [];
    public IReadOnlyList<long> Int64Data { get; init; } = [];
    public bool IsExternal { get; init; }

    public long ElementCount
    {
        get
        {
            long n = 1;
            foreach (long d in Dims) n *= d;
            return n;
        }
    }

    public string ShapeText => "[" + string.Join(", ", Dims) + "]";

    /// <summary>The values as float32, from <c>raw_data</c> or <c>float_data</c>.</summary>
    public float[] ToFloatArray()
    {
        CheckStored();
        if (DataType != TypeFloat)
            throw new ShiraFormatException($"ONNX tensor '{Name}' has data type {DataType}; expected FLOAT (1).");
        long count = ElementCount;
        if (!RawData.IsEmpty)
        {
            if (RawData.Length != count * sizeof(float))
                throw new ShiraFormatException($"ONNX tensor '{Name}' of shape {ShapeText} has {RawData.Length} bytes of raw data; expected {count * sizeof(float)}.");
            if (BitConverter.IsLittleEndian)
                return MemoryMarshal.Cast<byte, float>(RawData.Span).ToArray();
            var values = new float[count];
            for (int i = 0; i < values.Length; i++)
                values[i] = BinaryPrimitives.ReadSingleLittleEndian(RawData.Span[(i * 4)..]);
            return values;
        }
        if (FloatData.Count != count)
            throw new ShiraFormatException($"ONNX tensor '{Name}' of shape {ShapeText} has {FloatData.Count} values; expected {count}.");
        return FloatData.ToArray();
    }

    /// <summary>The values as int64 (INT64 or INT32), from <c>raw_data</c> or <c>int64_data</c>.</summary>
    public long[] ToInt64Array()
    {
        CheckStored();
        long count = ElementCount;
        if (DataType == TypeInt64)
        {
            if (!RawData.IsEmpty)
            {
                if (RawData.Length != count * sizeof(long))
                    throw new ShiraFormatException($"ONNX tensor '{Name}' of shape {ShapeText} has {RawData.Length} bytes of raw data; expected {count * sizeof(long)}.");
                var values = new long[count];
                for (int i = 0; i < values.Length; i++)
                    values[i] = BinaryPrimitives.ReadInt64LittleEndian(RawData.Span[(i * 8)..]);
                return values;
            }
            if (Int64Data.Count != count)
                throw new ShiraFormatException($"ONNX tensor '{Name}' of shape {ShapeText} has {Int64Data.Count} values; expected {count}.");
            return Int64Data.ToArray();
        }
        if (DataType == TypeInt32 && !RawData.IsEmpty && RawData.Length == count * sizeof(int))
        {
            var values = new long[count];
            for (int i = 0; i < values.Length; i++)
                values[i] = BinaryPrimitives.ReadInt32LittleEndian(RawData.Span[(i * 4)..]);
            return values;
        }
        throw new ShiraFormatException($"ONNX tensor '{Name}' has data type {DataType}; expected INT64 (7) or raw INT32 (6).");
    }

    /// <summary>Creates a float32 TorchSharp tensor of this shape.</summary>
    public Tensor ToTorchFloat() => tensor(ToFloatArray(), Dims);

    private void CheckStored()
    {
        if (IsExternal)
            throw new ShiraFormatException($"ONNX tensor '{Name}' is stored in an external data file, which is not supported; embed the weights in the .onnx file.");
    }
}
