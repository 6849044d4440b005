namespace Microsoft.ML.Shira.ModelFiles.Archive;

/// <summary>Fixed entry names of a SHiRA model file and the rules every entry name follows.</summary>
internal static class ArchiveEntryNames
{
    /// <summary>The manifest: format version, chain layout, per-transformer settings and the digest of every other entry.</summary>
    public const string Manifest = "Shira/manifest.json";

    /// <summary>The model's input schema, as an ML.NET model zip holding an empty transformer chain.</summary>
    public const string InputSchema = "MLNet/input-schema.zip";

    /// <summary>The ML.NET model zip of the <paramref name="index"/>-th run of ordinary ML.NET transformers.</summary>
    public static string MlNetSegment(int index) => $"MLNet/segment-{index}.zip";

    /// <summary>The folder (with trailing slash) of the <paramref name="index"/>-th SHiRA transformer's entries.</summary>
    public static string ShiraTransformer(int index) => $"Shira/transformers/{index}/";

    /// <summary>Entry names are relative, '/'-separated and never climb out of the archive.</summary>
    /// <exception cref="ArgumentException">The name is empty, rooted, uses '\' or contains '.' or '..' segments.</exception>
    public static void Check(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (name.StartsWith('/') || name.Contains('\\') || name.Split('/').Any(s => s is "" or "." or ".."))
            throw new ArgumentException($"'{name}' is not a valid model file entry name (relative, '/'-separated, no empty, '.' or '..' segments).", nameof(name));
    }
}
