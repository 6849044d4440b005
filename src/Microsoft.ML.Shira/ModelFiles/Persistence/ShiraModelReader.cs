using Microsoft.ML.Shira.Checkpoints.HuggingFace;
using Microsoft.ML.Shira.IO.Folders;
using Microsoft.ML.Shira.ModelFiles.Archive;
using Microsoft.ML.Shira.ModelFiles.Layout;
using Microsoft.ML.Shira.ModelFiles.Manifest;

namespace Microsoft.ML.Shira.ModelFiles.Persistence;

/// <summary>What a loader reads back for one SHiRA transformer: its settings (from the manifest) and its entries.</summary>
internal sealed class ShiraModelReader(MLContext context, ModelArchiveReader archive, ManifestNode node, string? filePath)
{
    /// <summary>The context loading the model.</summary>
    public MLContext Context { get; } = context;

    /// <summary>The manifest node of the transformer (kind, prefix, settings).</summary>
    public ManifestNode Node { get; } = node;

    /// <summary>The settings the transformer wrote.</summary>
    public ManifestNode Settings { get; } = node.Object("settings");

    /// <summary>Folder of the transformer's entries, with a trailing slash.</summary>
    public string Prefix { get; } = node.String("prefix");

    /// <summary>The model file named in messages.</summary>
    public string Source => archive.Source;

    /// <summary>Full path of the model file when it was loaded from a file (null for a stream).</summary>
    public string? FilePath { get; } = filePath;

    /// <summary>Full name of an entry of this transformer.</summary>
    public string EntryName(string relativeName) => Prefix + relativeName;

    /// <summary>True when the entry exists.</summary>
    public bool Contains(string relativeName) => archive.Contains(EntryName(relativeName));

    /// <summary>The bytes of an entry.</summary>
    /// <exception cref="ShiraFormatException">The entry is missing.</exception>
    public byte[] Read(string relativeName) => archive.Read(EntryName(relativeName));

    /// <summary>The schema of an entry written by <see cref="ShiraModelWriter.WriteSchema"/>.</summary>
    public DataViewSchema ReadSchema(string relativeName) => MlNetModels.LoadSchema(Context, Read(relativeName), Source, EntryName(relativeName));

    /// <summary>The entries under <paramref name="relativeFolder"/> as the files of a model folder.</summary>
    public IModelFileSource Folder(string relativeFolder) => new ArchiveModelFileSource(archive, EntryName(relativeFolder));

    /// <summary>A problem with an entry of this transformer.</summary>
    public ShiraFormatException EntryError(string relativeName, string message, Exception? inner = null)
    {
        string text = $"SHiRA model file '{Source}': entry '{EntryName(relativeName)}' {message}";
        return inner is null ? new ShiraFormatException(text) : new ShiraFormatException(text, inner);
    }
}
