namespace Microsoft.ML.Shira.IO;

/// <summary>Writes files through a temporary sibling and a rename, so a crash never leaves a half-written file.</summary>
internal static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> by calling <paramref name="write"/> on a temporary file and renaming it.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(write);
        string full = Path.GetFullPath(path);
        string? directory = Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(directory))
            Directory.CreateDirectory(directory);
        string temp = full + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Writes all bytes atomically.</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        byte[] copy = bytes.ToArray();
        Write(path, s => s.Write(copy));
    }

    /// <summary>Writes text as UTF-8 (no BOM) atomically.</summary>
    public static void WriteAllText(string path, string text) =>
        WriteAllBytes(path, new System.Text.UTF8Encoding(false).GetBytes(text));

    /// <summary>Writes each file (name → bytes) atomically into <paramref name="directory"/>, created when missing.</summary>
    internal static void WriteAll(string directory, IReadOnlyDictionary<string, byte[]> files)
    {
        Directory.CreateDirectory(directory);
        foreach (var (name, data) in files)
            WriteAllBytes(Path.Combine(directory, name), data);
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
