using System.IO.Compression;
using System.Security.Cryptography;

namespace Microsoft.ML.Shira.ModelFiles.Archive;

/// <summary>
/// Reads the entries of a SHiRA model file. Every problem (not a zip, truncated, entry missing or damaged) raises
/// <see cref="ShiraFormatException"/> naming the file and the entry. Entries are checked against the SHA-256 digests of
/// the manifest. They are read once into memory, except, in a model file read from disk, large uncompressed entries (the
/// weights of an embedded base model), which stay on disk and are streamed when used, so their size is not limited by
/// memory or by an array's.
/// </summary>
internal sealed class ModelArchiveReader
{
    private readonly Dictionary<string, byte[]> _entries;
    private readonly Dictionary<string, long> _onDisk;
    private readonly string? _filePath;

    private ModelArchiveReader(string source, Dictionary<string, byte[]> entries, Dictionary<string, long> onDisk, string? filePath)
    {
        Source = source;
        _entries = entries;
        _onDisk = onDisk;
        _filePath = filePath;
    }

    /// <summary>Uncompressed entries at least this large stay on disk when the archive is a file.</summary>
    internal static long OnDiskEntryBytes { get; set; } = 64L << 20;

    /// <summary>The file path (or a description of the stream) named in messages.</summary>
    public string Source { get; }

    /// <summary>Reads the entries of the zip in <paramref name="stream"/>; <paramref name="filePath"/>, when the stream is that file, lets large entries stay on disk.</summary>
    /// <remarks>
    /// Nothing is extracted to disk. An entry must have a relative name without <c>..</c> segments, must decompress to
    /// exactly its declared size, and a compressed entry may not expand more than <see cref="MaxCompressionRatio"/>
    /// times (this library compresses only JSON and text; a larger ratio is a compression bomb), so the memory a file
    /// can claim is bounded by its own size.
    /// </remarks>
    /// <exception cref="ShiraFormatException">Not a zip archive, truncated, an entry name or size is invalid, or an entry cannot be decompressed.</exception>
    public static ModelArchiveReader Open(Stream stream, string source, string? filePath = null)
    {
        var entries = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var onDisk = new Dictionary<string, long>(StringComparer.Ordinal);
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
                if (entries.ContainsKey(entry.FullName) || onDisk.ContainsKey(entry.FullName))
                    throw new InvalidDataException("the entry name occurs twice.");
                if (filePath is not null && entry.Length >= OnDiskEntryBytes && entry.CompressedLength == entry.Length)
                {
                    onDisk.Add(entry.FullName, entry.Length);
                    continue;
                }
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
        return new ModelArchiveReader(source, entries, onDisk, filePath);
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
    public bool Contains(string name) => _entries.ContainsKey(name) || _onDisk.ContainsKey(name);

    /// <summary>True when the entry stays in the file and is streamed when used (see <see cref="OpenEntry"/>).</summary>
    public bool IsOnDisk(string name) => _onDisk.ContainsKey(name);

    /// <summary>The bytes of an entry (an on-disk entry is read from the file each time).</summary>
    /// <exception cref="ShiraFormatException">The entry is missing, or too large for an array.</exception>
    public byte[] Read(string name)
    {
        if (_entries.TryGetValue(name, out var data))
            return data;
        if (!_onDisk.TryGetValue(name, out long length))
            throw new ShiraFormatException($"SHiRA model file '{Source}' has no entry '{name}'; the file is incomplete or was not written by mlContext.Shira().Model.Save.");
        if (length > Array.MaxLength)
            throw new ShiraFormatException($"SHiRA model file '{Source}': entry '{name}' holds {length} bytes, more than an array can; it can only be streamed.");
        using var stream = OpenEntry(name);
        var bytes = new byte[length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>A stream over an on-disk entry's data (opening the file again); dispose it.</summary>
    /// <exception cref="ShiraFormatException">The entry is not on disk, or the file cannot be read.</exception>
    public Stream OpenEntry(string name)
    {
        if (!_onDisk.ContainsKey(name) || _filePath is null)
            throw new ShiraFormatException($"SHiRA model file '{Source}' has no on-disk entry '{name}'.");
        var file = File.OpenRead(_filePath);
        try
        {
            var zip = new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: false);
            var entry = zip.GetEntry(name) ?? throw new InvalidDataException("the entry is gone: the file changed since it was opened.");
            return new OwningStream(entry.Open(), zip);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException)
        {
            file.Dispose();
            throw new ShiraFormatException($"SHiRA model file '{Source}', entry '{name}' cannot be read: {ex.Message}", ex);
        }
    }

    /// <summary>Checks that every listed entry exists with its recorded size and SHA-256.</summary>
    /// <exception cref="ShiraFormatException">An entry is missing, or its contents differ from what was saved.</exception>
    public void Verify(IEnumerable<(string Name, long Length, string Sha256)> digests)
    {
        foreach (var (name, length, sha256) in digests)
        {
            long actualLength;
            string actualHash;
            if (_onDisk.TryGetValue(name, out actualLength))
            {
                using var stream = OpenEntry(name);
                actualHash = Convert.ToHexStringLower(SHA256.HashData(stream));
            }
            else
            {
                var data = Read(name);
                actualLength = data.LongLength;
                actualHash = Convert.ToHexStringLower(SHA256.HashData(data));
            }
            if (actualLength != length || !string.Equals(actualHash, sha256, StringComparison.OrdinalIgnoreCase))
                throw new ShiraFormatException(
                    $"SHiRA model file '{Source}': entry '{name}' is damaged ({actualLength} bytes; the manifest '{ArchiveEntryNames.Manifest}' records {length} bytes " +
                    "and another SHA-256). The file was modified or corrupted after it was saved.");
        }
    }

    /// <summary>Describes an entry for messages: <c>'file' entry 'name'</c>.</summary>
    public string Describe(string name) => $"'{Source}' entry '{name}'";

    /// <summary>An entry's stream that also disposes the archive it came from.</summary>
    private sealed class OwningStream(Stream inner, IDisposable owner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override int Read(Span<byte> buffer) => inner.Read(buffer);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
                owner.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
