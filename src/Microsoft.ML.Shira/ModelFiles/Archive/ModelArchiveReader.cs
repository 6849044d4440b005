using System.IO.Compression;
using System.Security.Cryptography;

namespace Microsoft.ML.Shira.ModelFiles.Archive;

/// <summary>
/// Reads the entries of a SHiRA model file. Every problem (not a zip, truncated, entry missing or damaged) raises
/// <see cref="ShiraFormatException"/> naming the file and the entry. Entries are read once into memory and checked
/// against the SHA-256 digests of the manifest.
/// </summary>
internal sealed class ModelArchiveReader
{
    private readonly Dictionary<string, byte[]> _entries;

    private ModelArchiveReader(string source, Dictionary<string, byte[]> entries)
    {
        Source = source;
        _entries = entries;
    }

    /// <summary>The file path (or a description of the stream) named in messages.</summary>
    public string Source { get; }

    /// <summary>Reads every entry of the zip in <paramref name="stream"/>.</summary>
    /// <remarks>
    /// Nothing is extracted to disk. An entry must have a relative name without <c>..</c> segments, must decompress to
    /// exactly its declared size, and a compressed entry may not expand more than <see cref="MaxCompressionRatio"/>
    /// times (this library compresses only JSON and text; a larger ratio is a compression bomb), so the memory a file
    /// can claim is bounded by its own size.
    /// </remarks>
    /// <exception cref="ShiraFormatException">Not a zip archive, truncated, an entry name or size is invalid, or an entry cannot be decompressed.</exception>
    public static ModelArchiveReader Open(Stream stream, string source)
    {
        var entries = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        string? current = null;
        try
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
            foreach (var entry in zip.Entries)
            {
                if (entry.FullName.EndsWith('/'))
                    continue;
                current = entry.FullName;
                if (!IsRelativeName(entry.FullName))
                    throw new InvalidDataException("the entry name is not a relative path inside the archive.");
                if (entry.Length > Array.MaxLength)
                    throw new InvalidDataException($"it declares {entry.Length} bytes; entries larger than {Array.MaxLength} bytes are not supported.");
                if (entry.Length > MaxSize(entry.CompressedLength))
                    throw new InvalidDataException(
                        $"it declares {entry.Length} bytes from {entry.CompressedLength} compressed bytes, more than {MaxCompressionRatio}:1; the file is corrupt or a compression bomb.");
                using var data = entry.Open();
                using var copy = new MemoryStream((int)entry.Length);
                // One byte more than declared is read to notice an entry whose data is longer than its header says.
                CopyAtMost(data, copy, entry.Length + 1);
                if (copy.Length != entry.Length)
                    throw new InvalidDataException($"{copy.Length} bytes decompressed, {entry.Length} expected.");
                if (!entries.TryAdd(entry.FullName, copy.ToArray()))
                    throw new InvalidDataException("the entry name occurs twice.");
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException or IOException or NotSupportedException)
        {
            string where = current is null ? "" : $", entry '{current}'";
            throw new ShiraFormatException(
                $"SHiRA model file '{source}'{where} is corrupt or truncated: {ex.Message} Save the model again with mlContext.Shira().Model.Save.", ex);
        }
        return new ModelArchiveReader(source, entries);
    }

    /// <summary>The largest expansion of a compressed entry this reader accepts.</summary>
    internal const int MaxCompressionRatio = 200;

    private static long MaxSize(long compressedLength) => compressedLength * MaxCompressionRatio + 4096;

    private static bool IsRelativeName(string name) =>
        name.Length > 0 && !name.StartsWith('/') && !name.Contains('\\') && !name.Contains(':')
        && !name.Split('/').Any(segment => segment is ".." or ".");

    private static void CopyAtMost(Stream from, Stream to, long limit)
    {
        var buffer = new byte[81920];
        long left = limit;
        int read;
        while (left > 0 && (read = from.Read(buffer, 0, (int)Math.Min(buffer.Length, left))) > 0)
        {
            to.Write(buffer, 0, read);
            left -= read;
        }
    }

    /// <summary>True when the archive has the entry.</summary>
    public bool Contains(string name) => _entries.ContainsKey(name);

    /// <summary>The bytes of an entry.</summary>
    /// <exception cref="ShiraFormatException">The entry is missing.</exception>
    public byte[] Read(string name) =>
        _entries.TryGetValue(name, out var data)
            ? data
            : throw new ShiraFormatException($"SHiRA model file '{Source}' has no entry '{name}'; the file is incomplete or was not written by mlContext.Shira().Model.Save.");

    /// <summary>Checks that every listed entry exists with its recorded size and SHA-256.</summary>
    /// <exception cref="ShiraFormatException">An entry is missing, or its contents differ from what was saved.</exception>
    public void Verify(IEnumerable<(string Name, long Length, string Sha256)> digests)
    {
        foreach (var (name, length, sha256) in digests)
        {
            var data = Read(name);
            if (data.LongLength != length || !string.Equals(Convert.ToHexStringLower(SHA256.HashData(data)), sha256, StringComparison.OrdinalIgnoreCase))
                throw new ShiraFormatException(
                    $"SHiRA model file '{Source}': entry '{name}' is damaged ({data.LongLength} bytes; the manifest '{ArchiveEntryNames.Manifest}' records {length} bytes " +
                    "and another SHA-256). The file was modified or corrupted after it was saved.");
        }
    }

    /// <summary>Describes an entry for messages: <c>'file' entry 'name'</c>.</summary>
    public string Describe(string name) => $"'{Source}' entry '{name}'";
}
