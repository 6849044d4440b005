using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML.Shira.ModelFiles.Archive;

namespace Microsoft.ML.Shira.ModelFiles.Manifest;

/// <summary>
/// The top level of <c>Shira/manifest.json</c>: what the file is, which format version, which library wrote it, where the
/// input schema is, the model layout (<see cref="Layout"/>) and the size and SHA-256 of every other entry.
/// </summary>
internal static class ModelManifest
{
    /// <summary>Value of the <c>format</c> field.</summary>
    public const string Format = "Microsoft.ML.Shira model";

    /// <summary>The format version this library writes and reads.</summary>
    public const int FormatVersion = 1;

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Serializes the manifest of a model whose entries <paramref name="archive"/> holds.</summary>
    public static byte[] Write(JsonObject layout, ModelArchiveWriter archive)
    {
        var entries = new JsonArray();
        foreach (var (name, length, sha256) in archive.Digests())
            entries.Add(new JsonObject { ["name"] = name, ["length"] = length, ["sha256"] = sha256 });
        var root = new JsonObject
        {
            ["format"] = Format,
            ["formatVersion"] = FormatVersion,
            ["libraryVersion"] = ShiraInfo.Version,
            ["mlnetVersion"] = typeof(MLContext).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0],
            ["inputSchema"] = ArchiveEntryNames.InputSchema,
            ["model"] = layout,
            ["entries"] = entries,
        };
        return JsonSerializer.SerializeToUtf8Bytes(root, Indented);
    }

    /// <summary>Reads and checks the header: format name and version; verifies every listed entry. Returns the manifest root.</summary>
    /// <exception cref="ShiraFormatException">Not a SHiRA model file, a newer format version, or a missing or damaged entry.</exception>
    public static ManifestNode Read(ModelArchiveReader archive)
    {
        if (!archive.Contains(ArchiveEntryNames.Manifest))
            throw new ShiraFormatException(
                $"'{archive.Source}' has no entry '{ArchiveEntryNames.Manifest}', so it is not a SHiRA model file. " +
                "Models without SHiRA transformers saved by mlContext.Model.Save load with mlContext.Model.Load.");
        var root = ManifestNode.Parse(archive.Read(ArchiveEntryNames.Manifest), archive.Source);
        string format = root.String("format");
        if (format != Format)
            throw root.Error($"is '{format}'; expected '{Format}'.", "format");
        int version = root.Int("formatVersion");
        if (version != FormatVersion)
            throw root.Error(
                $"is {version}, but this library (Microsoft.ML.Shira {ShiraInfo.Version}) reads format version {FormatVersion}. " +
                $"The file was written by Microsoft.ML.Shira {root.OptionalString("libraryVersion") ?? "(unknown)"}; load it with a matching version.",
                "formatVersion");
        archive.Verify(root.Objects("entries").Select(e => (e.String("name"), e.Long("length"), e.String("sha256"))));
        return root;
    }
}
