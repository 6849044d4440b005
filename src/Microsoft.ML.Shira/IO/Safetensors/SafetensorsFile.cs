using System.Buffers.Binary;
using System.Text.Json;
using Microsoft.ML.Shira.Runtime;

namespace Microsoft.ML.Shira.IO.Safetensors;

/// <summary>
/// A parsed safetensors file (Hugging Face format: u64 header length, JSON header, raw little-endian data).
/// Every header entry is validated on open; problems raise <see cref="ShiraFormatException"/> naming the file and tensor.
/// A file opened from disk is memory-mapped (no size limit; tensors are read one at a time, so a multi-gigabyte
/// checkpoint never sits in managed memory); dispose it to unmap it at once rather than at finalization.
/// </summary>
internal sealed class SafetensorsFile : IDisposable
{
    private const long MaxHeaderBytes = 100L * 1024 * 1024;
    private readonly SafetensorsStorage _bytes;
    private readonly long _dataStart;
    private readonly Dictionary<string, SafetensorsEntry> _entries;

    private SafetensorsFile(string source, SafetensorsStorage bytes, long dataStart, Dictionary<string, SafetensorsEntry> entries, Dictionary<string, string> metadata)
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

    /// <summary>Memory-maps and validates a file (of any size).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ShiraFormatException">The file is not a valid safetensors file.</exception>
    public static SafetensorsFile Open(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var info = new FileInfo(path);
        if (!info.Exists)
            throw new FileNotFoundException($"Safetensors file '{path}' does not exist.", path);
        if (info.Length < 8)
            throw Truncated(path, info.Length);
        var storage = new SafetensorsStorage.Mapped(path, info.Length);
        try
        {
            return Parse(storage, path);
        }
        catch
        {
            storage.Dispose();
            throw;
        }
    }

    /// <summary>Parses and validates safetensors bytes; <paramref name="source"/> names them in errors.</summary>
    public static SafetensorsFile Parse(byte[] bytes, string source)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        return Parse(new SafetensorsStorage.InMemory(bytes), source);
    }

    private static ShiraFormatException Truncated(string source, long length) =>
        new($"Safetensors file '{source}' is truncated: {length} bytes, too short for the 8-byte header length.");

    private static SafetensorsFile Parse(SafetensorsStorage bytes, string source)
    {
        if (bytes.Length < 8)
            throw Truncated(source, bytes.Length);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes.ReadArray(0, 8));
        if (headerLength > MaxHeaderBytes || (long)headerLength > bytes.Length - 8)
            throw new ShiraFormatException($"Safetensors file '{source}' is truncated or corrupt: header length {headerLength} exceeds the {bytes.Length - 8} bytes after it.");
        long dataStart = 8 + (long)headerLength;
        long dataLength = bytes.Length - dataStart;

        var header = JsonText.ParseDocument(bytes.ReadArray(8, (int)headerLength), $"Safetensors file '{source}': the JSON header");

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

    /// <summary>A copy of the raw little-endian bytes of a tensor (for small tensors: at most 2 GB).</summary>
    /// <exception cref="ShiraFormatException">No tensor of that name, or it is larger than an array can hold.</exception>
    public byte[] ReadBytes(string name)
    {
        var entry = GetEntry(name);
        long length = entry.End - entry.Begin;
        if (length > Array.MaxLength)
            throw new ShiraFormatException($"Safetensors file '{Source}': tensor '{name}' has {length} bytes, more than an array can hold; read it with GetTensor.");
        return _bytes.ReadArray(_dataStart + entry.Begin, (int)length);
    }

    /// <summary>Creates a CPU tensor (its stored dtype) holding a copy of the named tensor's data (any size).</summary>
    public Tensor GetTensor(string name)
    {
        var entry = GetEntry(name);
        var tensor = empty(entry.Shape, SafetensorsDType.ToScalarType(entry.DType));
        try
        {
            CopyData(entry, tensor);
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
        return tensor;
    }

    /// <summary>
    /// Copies the named tensor into <paramref name="target"/>, converting dtype and device on the way. A contiguous CPU
    /// target of the stored dtype receives the bytes directly, with no intermediate tensor; otherwise one temporary CPU
    /// copy of this tensor exists during the conversion.
    /// </summary>
    /// <exception cref="ShiraFormatException">No tensor of that name, or its shape differs from the target's.</exception>
    public void CopyTo(string name, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var entry = GetEntry(name);
        if (!entry.Shape.AsSpan().SequenceEqual(target.shape))
            throw new ShiraFormatException(
                $"Safetensors file '{Source}': tensor '{name}' has shape [{string.Join(", ", entry.Shape)}], not the target's [{string.Join(", ", target.shape)}].");
        using var noGrad = no_grad();
        if (target.device_type == DeviceType.CPU && target.dtype == SafetensorsDType.ToScalarType(entry.DType) && target.is_contiguous())
        {
            CopyData(entry, target);
            return;
        }
        using var value = GetTensor(name);
        target.copy_(value);
    }

    private unsafe void CopyData(SafetensorsEntry entry, Tensor destination)
    {
        long length = entry.End - entry.Begin;
        if (length > 0)
            _bytes.CopyTo(_dataStart + entry.Begin, TensorMemory.Origin(destination), length);
    }

    /// <summary>Reads every tensor; the caller owns (disposes) the returned tensors.</summary>
    public Dictionary<string, Tensor> ToStateDict()
    {
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var name in _entries.Keys)
            result[name] = GetTensor(name);
        return result;
    }

    /// <summary>Unmaps a memory-mapped file (tensors already read stay valid).</summary>
    public void Dispose() => _bytes.Dispose();

    /// <summary>Describes the file for messages.</summary>
    public override string ToString() => $"{Source} ({_entries.Count} tensors)";
}
