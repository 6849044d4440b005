using System.Buffers.Binary;
using System.Text.Json;
using Microsoft.ML.Shira.Runtime;

namespace Microsoft.ML.Shira.IO.Safetensors;

/// <summary>
/// Writes safetensors files (tensors sorted by name, 8-byte aligned header, atomic write). The data is streamed one
/// tensor at a time (each copied to the CPU and made contiguous only while it is written), so neither the file nor a
/// tensor is limited to 2 GB and the extra memory is that of the largest tensor.
/// </summary>
internal static class SafetensorsWriter
{
    private const int ChunkBytes = 64 << 20;

    /// <summary>Serializes tensors and metadata to safetensors bytes (for files that fit in an array).</summary>
    public static byte[] ToBytes(IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        using var buffer = new MemoryStream();
        Write(buffer, tensors, metadata);
        return buffer.ToArray();
    }

    /// <summary>Writes tensors and metadata to <paramref name="path"/> atomically (temporary file + rename).</summary>
    public static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var ordered = tensors.ToList();
        AtomicFile.Write(path, stream => Write(stream, ordered, metadata));
    }

    /// <summary>Streams tensors and metadata to <paramref name="stream"/> in the safetensors layout.</summary>
    public static void Write(Stream stream, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var ordered = WriteHeader(stream, tensors, metadata);
        foreach (var (_, tensor) in ordered)
            WriteData(stream, tensor);
    }

    /// <summary>
    /// Writes the length and JSON header for <paramref name="tensors"/> (only their dtypes and shapes are read, so they
    /// may live on the meta device) and returns them in file order; their data must follow in that order.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, Tensor>> WriteHeader(Stream stream, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(tensors);
        var ordered = tensors.OrderBy(t => t.Key, StringComparer.Ordinal).ToList();
        byte[] header = Header(ordered, metadata);
        int padding = (8 - header.Length % 8) % 8;
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)(header.Length + padding));
        stream.Write(length);
        stream.Write(header);
        for (int i = 0; i < padding; i++)
            stream.WriteByte((byte)' ');
        return ordered;
    }

    /// <summary>Bytes a tensor takes in a safetensors file.</summary>
    public static long DataBytes(Tensor tensor) => TensorMemory.ByteCount(tensor);

    private static byte[] Header(List<KeyValuePair<string, Tensor>> ordered, IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject("__metadata__");
                foreach (var (key, value) in metadata.OrderBy(m => m.Key, StringComparer.Ordinal))
                    json.WriteString(key, value);
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, tensor) in ordered)
            {
                ArgumentException.ThrowIfNullOrEmpty(name);
                long bytes = DataBytes(tensor);
                json.WriteStartObject(name);
                json.WriteString("dtype", SafetensorsDType.FromScalarType(tensor.dtype));
                json.WriteStartArray("shape");
                foreach (long d in tensor.shape)
                    json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + bytes);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += bytes;
            }
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private static unsafe void WriteData(Stream stream, Tensor tensor)
    {
        long remaining = DataBytes(tensor);
        if (remaining == 0)
            return;
        using var scope = NewDisposeScope();
        var cpu = tensor.detach().cpu().contiguous();
        byte* at = TensorMemory.Origin(cpu);
        while (remaining > 0)
        {
            int chunk = (int)Math.Min(remaining, ChunkBytes);
            stream.Write(new ReadOnlySpan<byte>(at, chunk));
            at += chunk;
            remaining -= chunk;
        }
    }
}
