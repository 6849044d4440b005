using Microsoft.ML.Shira.Checkpoints.Onnx;

namespace Microsoft.ML.Shira.IO.Onnx;

/// <summary>
/// Minimal reader of the protobuf wire format over a memory block: tags, varints, fixed-width values and
/// length-delimited slices (returned without copying). Every read is bounds-checked and fails with
/// <see cref="ShiraFormatException"/> naming the message being read and the byte offset.
/// </summary>
internal struct ProtobufReader
{
    public const int WireVarint = 0;
    public const int WireFixed64 = 1;
    public const int WireLengthDelimited = 2;
    public const int WireFixed32 = 5;

    private readonly ReadOnlyMemory<byte> _data;
    private readonly string _context;
    private readonly long _baseOffset;
    private int _position;

    /// <param name="data">The message bytes.</param>
    /// <param name="context">What is being read, for error messages (e.g. <c>GraphProto</c>).</param>
    /// <param name="baseOffset">Offset of <paramref name="data"/> within the whole file, for error messages.</param>
    public ProtobufReader(ReadOnlyMemory<byte> data, string context, long baseOffset = 0)
    {
        _data = data;
        _context = context;
        _baseOffset = baseOffset;
        _position = 0;
    }

    /// <summary>True when bytes remain.</summary>
    public readonly bool HasMore => _position < _data.Length;

    /// <summary>Absolute file offset of the next byte.</summary>
    public readonly long Offset => _baseOffset + _position;

    /// <summary>Reads the next field key; returns false at the end of the message.</summary>
    public bool TryReadTag(out int fieldNumber, out int wireType)
    {
        if (!HasMore)
        {
            fieldNumber = 0;
            wireType = 0;
            return false;
        }
        ulong key = ReadVarint();
        fieldNumber = (int)(key >> 3);
        wireType = (int)(key & 7);
        if (fieldNumber <= 0 || key >> 3 > int.MaxValue)
            throw Error($"invalid field number {key >> 3}");
        return true;
    }

    /// <summary>Reads a base-128 varint.</summary>
    public ulong ReadVarint()
    {
        var span = _data.Span;
        ulong result = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (_position >= span.Length)
                throw Error("truncated varint");
            byte b = span[_position++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
                return result;
        }
        throw Error("varint longer than 10 bytes");
    }

    /// <summary>Reads a varint as a signed 64-bit value (protobuf <c>int64</c>).</summary>
    public long ReadInt64() => unchecked((long)ReadVarint());

    /// <summary>Reads a little-endian 32-bit value.</summary>
    public uint ReadFixed32()
    {
        var bytes = Take(4, "fixed32");
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(bytes.Span);
    }

    /// <summary>Reads a little-endian 64-bit value.</summary>
    public ulong ReadFixed64()
    {
        var bytes = Take(8, "fixed64");
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(bytes.Span);
    }

    /// <summary>Reads a length-delimited field as a slice of the underlying memory (no copy).</summary>
    public ReadOnlyMemory<byte> ReadBytes()
    {
        ulong length = ReadVarint();
        if (length > (ulong)(_data.Length - _position))
            throw Error($"length-delimited field of {length} bytes runs past the end ({_data.Length - _position} bytes left); the data is truncated or corrupt");
        return Take((int)length, "bytes");
    }

    /// <summary>Reads a length-delimited field and returns a reader positioned over it.</summary>
    public ProtobufReader ReadMessage(string context)
    {
        var bytes = ReadBytes();
        return new ProtobufReader(bytes, context, Offset - bytes.Length);
    }

    /// <summary>Reads a UTF-8 string.</summary>
    public string ReadString() => System.Text.Encoding.UTF8.GetString(ReadBytes().Span);

    /// <summary>Skips a field of the given wire type.</summary>
    public void Skip(int wireType)
    {
        switch (wireType)
        {
            case WireVarint: ReadVarint(); break;
            case WireFixed64: Take(8, "fixed64"); break;
            case WireLengthDelimited: ReadBytes(); break;
            case WireFixed32: Take(4, "fixed32"); break;
            default: throw Error($"unsupported wire type {wireType}");
        }
    }

    /// <summary>Reads a repeated int64 field, packed or not, appending to <paramref name="values"/>.</summary>
    public void ReadRepeatedInt64(int wireType, List<long> values)
    {
        if (wireType == WireVarint)
        {
            values.Add(ReadInt64());
            return;
        }
        Expect(wireType, WireLengthDelimited, "repeated int64");
        var packed = new ProtobufReader(ReadBytes(), _context, Offset);
        while (packed.HasMore)
            values.Add(packed.ReadInt64());
    }

    /// <summary>Reads a repeated float field, packed or not, appending to <paramref name="values"/>.</summary>
    public void ReadRepeatedFloat(int wireType, List<float> values)
    {
        if (wireType == WireFixed32)
        {
            values.Add(BitConverter.UInt32BitsToSingle(ReadFixed32()));
            return;
        }
        Expect(wireType, WireLengthDelimited, "repeated float");
        var bytes = ReadBytes();
        if (bytes.Length % 4 != 0)
            throw Error($"packed float field of {bytes.Length} bytes is not a multiple of 4");
        var span = bytes.Span;
        for (int i = 0; i < span.Length; i += 4)
            values.Add(System.Buffers.Binary.BinaryPrimitives.ReadSingleLittleEndian(span[i..]));
    }

    /// <summary>Throws unless <paramref name="actual"/> is the wire type <paramref name="expected"/>.</summary>
    public readonly void Expect(int actual, int expected, string what)
    {
        if (actual != expected)
            throw Error($"{what} has wire type {actual}, expected {expected}");
    }

    /// <summary>An exception naming the message and offset.</summary>
    public readonly ShiraFormatException Error(string problem) =>
        new($"Malformed ONNX protobuf in {_context} at byte {Offset}: {problem}.");

    private ReadOnlyMemory<byte> Take(int count, string what)
    {
        if (count > _data.Length - _position)
            throw Error($"truncated {what}");
        var slice = _data.Slice(_position, count);
        _position += count;
        return slice;
    }
}
