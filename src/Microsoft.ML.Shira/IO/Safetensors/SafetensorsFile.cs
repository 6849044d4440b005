using System.Buffers.Binary;
using System.Text.Json;

namespace Microsoft.ML.Shira.IO.Safetensors;

/// <summary>
/// A parsed safetensors file (Hugging Face format: u64 header length, JSON header, raw little-endian data).
/// Every header entry is validated on open; problems raise <see cref="ShiraFormatException"/> naming the file and tensor.
/// </summary>
internal sealed class SafetensorsFile
{
    private const long MaxHeaderBytes = 100L * 1024 * 1024;
    private readonly byte[] _bytes;
    private readonly long _dataStart;
    private readonly Dictionary<string, SafetensorsEntry> _entries;

    private SafetensorsFile(string source, byte[] bytes, long dataStart, Dictionary<string, SafetensorsEntry> entries, Dictionary<string, string> metadata)
    {
        Source = source;
        _bytes = bytes;
        _dataStart = dataStart;
        _entries = entries;
        Metadata = metadata;
    }

    /// <summary>File path or description used in error messages.</summary>
    public string Source { get; }

    /// <summary>The <c>__metadata__</c> string map (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Tensor entries by name.</summary>
    public IReadOnlyDictionary<string, SafetensorsEntry> Entries => _entries;

    /// <summary>Reads and validates a file.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ShiraFormatException">The file is not a valid safetensors file.</exception>
    public static SafetensorsFile Open(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"Safetensors file '{path}' does not exist.", path);
        return Parse(File.ReadAllBytes(path), path);
    }

    /// <summary>Parses and validates safetensors bytes; <paramref name="source"/> names them in errors.</summary>
    public static SafetensorsFile Parse(byte[] bytes, string source)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (bytes.Length < 8)
            throw new ShiraFormatException($"Safetensors file '{source}' is truncated: {bytes.Length} bytes, too short for the 8-byte header length.");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > MaxHeaderBytes || (long)headerLength > bytes.Length - 8)
            throw new ShiraFormatException($"Safetensors file '{source}' is truncated or corrupt: header length {headerLength} exceeds the {bytes.Length - 8} bytes after it.");
        long dataStart = 8 + (long)headerLength;
        long dataLength = bytes.Length - dataStart;

        var header = JsonText.ParseDocument(bytes.AsMemory(8, (int)headerLength), $"Safetensors file '{source}': the JSON header");

        var entries = new Dictionary<string, SafetensorsEntry>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        using (header)
        {
            if (header.RootElement.ValueKind != JsonValueKind.Object)
                throw new ShiraFormatException($"Safetensors file '{source}': the header is not a JSON object.");
            foreach (var property in header.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__")
                {
                    if (property.Value.ValueKind == JsonValueKind.Object)
                    {
                        foreach (var item in property.Value.EnumerateObject())
                            metadata[item.Name] = item.Value.ValueKind == JsonValueKind.String ? item.Value.GetString()! : item.Value.GetRawText();
                    }
                    continue;
                }
                var entry = ParseEntry(source, property);
                if (entry.End > dataLength)
                    throw new ShiraFormatException($"Safetensors file '{source}' is truncated: tensor '{entry.Name}' ends at data byte {entry.End} but the data section has only {dataLength} bytes.");
                entries[entry.Name] = entry;
            }
        }
        RequireDisjoint(source, entries.Values);
        return new SafetensorsFile(source, bytes, dataStart, entries, metadata);
    }

    /// <summary>No two tensors share data bytes (as the safetensors format requires).</summary>
    private static void RequireDisjoint(string source, IEnumerable<SafetensorsEntry> entries)
    {
        SafetensorsEntry? previous = null;
        foreach (var entry in entries.Where(e => e.End > e.Begin).OrderBy(e => e.Begin))
        {
            if (previous is not null && entry.Begin < previous.End)
                throw new ShiraFormatException(
                    $"Safetensors file '{source}': the data of tensors '{previous.Name}' [{previous.Begin}, {previous.End}) and '{entry.Name}' [{entry.Begin}, {entry.End}) overlap.");
            previous = entry;
        }
    }

    private static SafetensorsEntry ParseEntry(string source, JsonProperty property)
    {
        string name = property.Name;
        try
        {
            var value = property.Value;
            string dtype = value.GetProperty("dtype").GetString() ?? "";
            if (!SafetensorsDType.IsKnown(dtype))
                throw new ShiraFormatException($"Safetensors file '{source}': tensor '{name}' has unsupported dtype '{dtype}'.");
            long[] shape = value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            long[] offsets = value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0])
                throw new ShiraFormatException($"Safetensors file '{source}': tensor '{name}' has invalid data_offsets [{string.Join(", ", offsets)}].");
            if (shape.Any(d => d < 0))
                throw new ShiraFormatException($"Safetensors file '{source}': tensor '{name}' has a negative dimension in shape [{string.Join(", ", shape)}].");
            var entry = new SafetensorsEntry(name, dtype, shape, offsets[0], offsets[1]);
            long expected = checked(entry.ElementCount * SafetensorsDType.ElementSize(dtype));
            if (offsets[1] - offsets[0] != expected)
                throw new ShiraFormatException($"Safetensors file '{source}': tensor '{name}' ({dtype}, shape [{string.Join(", ", shape)}]) needs {expected} bytes but its data_offsets span {offsets[1] - offsets[0]}.");
            return entry;
        }
        catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException or FormatException or OverflowException)
        {
            throw new ShiraFormatException($"Safetensors file '{source}': header entry of tensor '{name}' is malformed ({ex.Message}).", ex);
        }
    }

    /// <summary>True when the file holds a tensor of that name.</summary>
    public bool Contains(string name) => _entries.ContainsKey(name);

    /// <summary>Header entry of a tensor.</summary>
    /// <exception cref="ShiraFormatException">No tensor of that name.</exception>
    public SafetensorsEntry GetEntry(string name) =>
        _entries.TryGetValue(name, out var entry)
            ? entry
            : throw new ShiraFormatException($"Safetensors file '{Source}' has no tensor named '{name}'.");

    /// <summary>Raw little-endian bytes of a tensor.</summary>
    public ReadOnlySpan<byte> GetBytes(string name)
    {
        var entry = GetEntry(name);
        return _bytes.AsSpan((int)(_dataStart + entry.Begin), (int)(entry.End - entry.Begin));
    }

    /// <summary>Creates a CPU tensor (its stored dtype) holding a copy of the named tensor's data.</summary>
    public Tensor GetTensor(string name)
    {
        var entry = GetEntry(name);
        var tensor = empty(entry.Shape, SafetensorsDType.ToScalarType(entry.DType));
        if (entry.End > entry.Begin)
            tensor.bytes = _bytes.AsSpan((int)(_dataStart + entry.Begin), (int)(entry.End - entry.Begin));
        return tensor;
    }

    /// <summary>Reads every tensor; the caller owns (disposes) the returned tensors.</summary>
    public Dictionary<string, Tensor> ToStateDict()
    {
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var name in _entries.Keys)
            result[name] = GetTensor(name);
        return result;
    }

    /// <summary>Describes the file for messages.</summary>
    public override string ToString() => $"{Source} ({_entries.Count} tensors)";
}
