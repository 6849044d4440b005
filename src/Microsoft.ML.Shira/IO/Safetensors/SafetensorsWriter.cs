using System.Buffers.Binary;
using System.Text.Json;

namespace Microsoft.ML.Shira.IO.Safetensors;

/// <summary>Writes safetensors files (tensors sorted by name, 8-byte aligned header, atomic write).</summary>
internal static class SafetensorsWriter
{
    /// <summary>Serializes tensors and metadata to safetensors bytes.</summary>
    public static byte[] ToBytes(IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var ordered = tensors.OrderBy(t => t.Key, StringComparer.Ordinal).ToList();
        var payloads = new List<byte[]>(ordered.Count);
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
                byte[] data = ToBytes(tensor);
                payloads.Add(data);
                json.WriteStartObject(name);
                json.WriteString("dtype", SafetensorsDType.FromScalarType(tensor.dtype));
                json.WriteStartArray("shape");
                foreach (long d in tensor.shape)
                    json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + data.Length);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += data.Length;
            }
            json.WriteEndObject();
        }

        byte[] header = buffer.ToArray();
        int padding = (8 - header.Length % 8) % 8;
        long total = 8 + header.Length + padding + payloads.Sum(p => (long)p.Length);
        var result = new byte[total];
        BinaryPrimitives.WriteUInt64LittleEndian(result, (ulong)(header.Length + padding));
        header.CopyTo(result, 8);
        for (int i = 0; i < padding; i++)
            result[8 + header.Length + i] = (byte)' ';
        long at = 8 + header.Length + padding;
        foreach (var payload in payloads)
        {
            payload.CopyTo(result, at);
            at += payload.Length;
        }
        return result;
    }

    /// <summary>Writes tensors and metadata to <paramref name="path"/> atomically (temporary file + rename).</summary>
    public static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null) =>
        AtomicFile.WriteAllBytes(path, ToBytes(tensors, metadata));

    private static byte[] ToBytes(Tensor tensor)
    {
        using var scope = NewDisposeScope();
        var cpu = tensor.detach().cpu().contiguous();
        return cpu.bytes.ToArray();
    }
}
