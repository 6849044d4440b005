using System.IO.Compression;
using System.Security.Cryptography;

namespace Microsoft.ML.Shira.ModelFiles.Archive;

/// <summary>
/// Collects the entries of a SHiRA model file in memory, then writes them as one zip with the manifest first. Everything
/// that can fail for reasons other than I/O (serializing weights, saving ML.NET segments) happens while collecting, so
/// nothing is written to the target until the whole model has been serialized.
/// </summary>
internal sealed class ModelArchiveWriter
{
    private readonly List<(string Name, byte[] Data, bool Compress)> _entries = new();
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    /// <summary>Adds an entry; <paramref name="compress"/> deflates it (text), otherwise it is stored as is (weights, nested zips).</summary>
    /// <exception cref="InvalidOperationException">An entry of that name was already added.</exception>
    public void Add(string name, byte[] data, bool compress)
    {
        ArchiveEntryNames.Check(name);
        if (!_names.Add(name))
            throw new InvalidOperationException($"Model file entry '{name}' is written twice.");
        _entries.Add((name, data, compress));
    }

    /// <summary>Name, size and SHA-256 (hex) of every entry added so far, in order.</summary>
    public IEnumerable<(string Name, long Length, string Sha256)> Digests() =>
        _entries.Select(e => (e.Name, (long)e.Data.Length, Convert.ToHexStringLower(SHA256.HashData(e.Data))));

    /// <summary>Writes the manifest and then every entry as a zip archive to <paramref name="stream"/> (left open).</summary>
    public void WriteTo(Stream stream, byte[] manifest)
    {
        using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        Write(zip, ArchiveEntryNames.Manifest, manifest, compress: true);
        foreach (var (name, data, compress) in _entries)
            Write(zip, name, data, compress);
    }

    private static void Write(ZipArchive zip, string name, byte[] data, bool compress)
    {
        var entry = zip.CreateEntry(name, compress ? CompressionLevel.Optimal : CompressionLevel.NoCompression);
        entry.LastWriteTime = new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
        using var output = entry.Open();
        output.Write(data);
    }
}
