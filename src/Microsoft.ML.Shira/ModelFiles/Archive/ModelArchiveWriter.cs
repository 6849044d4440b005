using System.IO.Compression;
using System.Security.Cryptography;

namespace Microsoft.ML.Shira.ModelFiles.Archive;

/// <summary>
/// Collects the entries of a SHiRA model file, then writes them as one zip with the manifest first. Everything that can
/// fail for reasons other than I/O (serializing weights, saving ML.NET segments) happens while collecting, so nothing is
/// written to the target until the whole model has been serialized. Small entries are kept in memory; large ones (the
/// weights of an embedded base model) are written to files of a scratch folder the writer owns and deletes when disposed,
/// so an entry's size is not limited by an array's.
/// </summary>
internal sealed class ModelArchiveWriter : IDisposable
{
    private readonly List<Entry> _entries = new();
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private string? _scratch;

    /// <summary>Adds an entry; <paramref name="compress"/> deflates it (text), otherwise it is stored as is (weights, nested zips).</summary>
    /// <exception cref="InvalidOperationException">An entry of that name was already added.</exception>
    public void Add(string name, byte[] data, bool compress) => Add(new Entry(name, data, null, compress));

    /// <summary>Adds an entry stored uncompressed from the file <paramref name="path"/> (a file of <see cref="ScratchDirectory"/>).</summary>
    /// <exception cref="InvalidOperationException">An entry of that name was already added.</exception>
    public void AddFile(string name, string path) => Add(new Entry(name, null, path, Compress: false));

    private void Add(Entry entry)
    {
        ArchiveEntryNames.Check(entry.Name);
        if (!_names.Add(entry.Name))
            throw new InvalidOperationException($"Model file entry '{entry.Name}' is written twice.");
        _entries.Add(entry);
    }

    /// <summary>A new empty folder, deleted with the writer, for entries too large to hold in memory.</summary>
    public string ScratchDirectory()
    {
        _scratch ??= Directory.CreateTempSubdirectory("shira-save-").FullName;
        string folder = Path.Combine(_scratch, _entries.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        return folder;
    }

    /// <summary>Name, size and SHA-256 (hex) of every entry added so far, in order (file entries are hashed as a stream).</summary>
    public IEnumerable<(string Name, long Length, string Sha256)> Digests() => _entries.Select(e => (e.Name, e.Length, e.Sha256()));

    /// <summary>Writes the manifest and then every entry as a zip archive to <paramref name="stream"/> (left open).</summary>
    public void WriteTo(Stream stream, byte[] manifest)
    {
        using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        Write(zip, new Entry(ArchiveEntryNames.Manifest, manifest, null, Compress: true));
        foreach (var entry in _entries)
            Write(zip, entry);
    }

    /// <summary>Deletes the scratch folder.</summary>
    public void Dispose()
    {
        if (_scratch is not null && Directory.Exists(_scratch))
            Directory.Delete(_scratch, recursive: true);
        _scratch = null;
    }

    private static void Write(ZipArchive zip, Entry entry)
    {
        var zipEntry = zip.CreateEntry(entry.Name, entry.Compress ? CompressionLevel.Optimal : CompressionLevel.NoCompression);
        zipEntry.LastWriteTime = new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
        using var output = zipEntry.Open();
        if (entry.Data is not null)
        {
            output.Write(entry.Data);
            return;
        }
        using var input = File.OpenRead(entry.Path!);
        input.CopyTo(output, 1 << 20);
    }

    private sealed record Entry(string Name, byte[]? Data, string? Path, bool Compress)
    {
        public long Length => Data?.LongLength ?? new FileInfo(Path!).Length;

        public string Sha256()
        {
            if (Data is not null)
                return Convert.ToHexStringLower(SHA256.HashData(Data));
            using var file = File.OpenRead(Path!);
            return Convert.ToHexStringLower(SHA256.HashData(file));
        }
    }
}
