namespace Microsoft.ML.Shira.IO;

/// <summary>
/// Writes files through a temporary sibling and a rename, so a crash or a write error (a full disk, an exception while
/// serializing) never leaves a half-written file: the previous file stays as it was and the temporary file is removed.
/// </summary>
internal static class AtomicFile
{
    private static readonly AsyncLocal<Func<Stream, Stream>?> FaultInjection = new();

    /// <summary>Writes <paramref name="path"/> by calling <paramref name="write"/> on a temporary file and renaming it.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(write);
        string temp = WriteTemporary(Path.GetFullPath(path), write);
        try
        {
            File.Move(temp, Path.GetFullPath(path), overwrite: true);
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

    /// <summary>
    /// Writes the files (name → bytes) into <paramref name="directory"/> (created when missing): every file is first
    /// written to its temporary sibling, and only when all are written are they renamed into place, so a write error
    /// leaves every previous file of the folder as it was.
    /// </summary>
    public static void WriteAll(string directory, IReadOnlyDictionary<string, byte[]> files) =>
        WriteAll(directory, files.Select(f => KeyValuePair.Create<string, Action<Stream>>(f.Key, s => s.Write(f.Value))).ToList());

    /// <summary>
    /// Like <see cref="WriteAll(string, IReadOnlyDictionary{string, byte[]})"/>, each file streamed by its writer (for
    /// files too large to hold in memory).
    /// </summary>
    public static void WriteAll(string directory, IReadOnlyList<KeyValuePair<string, Action<Stream>>> files)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentNullException.ThrowIfNull(files);
        var written = new List<(string Temp, string Target)>();
        try
        {
            foreach (var (name, write) in files)
            {
                string target = Path.GetFullPath(Path.Combine(directory, name));
                written.Add((WriteTemporary(target, write), target));
            }
            foreach (var (temp, target) in written)
                File.Move(temp, target, overwrite: true);
        }
        catch
        {
            foreach (var (temp, _) in written)
                TryDelete(temp);
            throw;
        }
    }

    /// <summary>
    /// For fault-injection tests: until the returned scope is disposed, every file written on this asynchronous flow goes
    /// through the stream <paramref name="wrap"/> makes of it (e.g. one that fails after N bytes, as a full disk does).
    /// </summary>
    internal static IDisposable InjectFaults(Func<Stream, Stream> wrap)
    {
        var previous = FaultInjection.Value;
        FaultInjection.Value = wrap;
        return new Restore(() => FaultInjection.Value = previous);
    }

    private static string WriteTemporary(string full, Action<Stream> write)
    {
        string? directory = Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(directory))
            Directory.CreateDirectory(directory);
        string temp = full + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        try
        {
            using var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None);
            var stream = FaultInjection.Value?.Invoke(file) ?? file;
            write(stream);
            stream.Flush();
            file.Flush(flushToDisk: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
        return temp;
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private sealed class Restore(Action restore) : IDisposable
    {
        public void Dispose() => restore();
    }
}
