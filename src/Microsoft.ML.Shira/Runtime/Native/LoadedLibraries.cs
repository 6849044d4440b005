namespace Microsoft.ML.Shira.Runtime.Native;

/// <summary>The native libraries mapped into this process, from <c>/proc/self/maps</c> (Linux).</summary>
internal static class LoadedLibraries
{
    /// <summary>
    /// The full path of the mapped library whose file name is <paramref name="fileName"/> (or starts with it followed by
    /// a dot, as <c>libstdc++.so.6.0.30</c> for <c>libstdc++.so.6</c>), or null.
    /// </summary>
    public static string? Find(string fileName)
    {
        const string maps = "/proc/self/maps";
        if (!OperatingSystem.IsLinux() || !File.Exists(maps))
            return null;
        foreach (string line in File.ReadLines(maps))
        {
            int slash = line.IndexOf('/', StringComparison.Ordinal);
            if (slash < 0)
                continue;
            string path = line[slash..].Trim();
            string name = Path.GetFileName(path);
            if (name == fileName || (name.StartsWith(fileName, StringComparison.Ordinal) && name[fileName.Length] == '.'))
                return path;
        }
        return null;
    }
}
