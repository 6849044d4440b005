using System.Text;
using System.Text.Json.Nodes;
using Microsoft.ML.Shira.ModelFiles.Archive;
using Microsoft.ML.Shira.ModelFiles.Layout;

namespace Microsoft.ML.Shira.ModelFiles.Persistence;

/// <summary>
/// What one SHiRA transformer writes into a model file: its <see cref="Settings"/> (stored in the manifest) and entries
/// under its own folder <see cref="Prefix"/> (e.g. <c>Shira/transformers/0/</c>).
/// </summary>
internal sealed class ShiraModelWriter(MLContext context, ModelArchiveWriter archive, string prefix, ShiraSaveOptions options)
{
    /// <summary>The context saving the model.</summary>
    public MLContext Context { get; } = context;

    /// <summary>The caller's save options.</summary>
    public ShiraSaveOptions Options { get; } = options;

    /// <summary>Folder of this transformer's entries, with a trailing slash.</summary>
    public string Prefix { get; } = prefix;

    /// <summary>Settings the transformer needs at inference (columns, lengths, adapters, selection); written into the manifest.</summary>
    public JsonObject Settings { get; } = new();

    /// <summary>Adds entry <c>Prefix + relativeName</c>; binary data is stored uncompressed.</summary>
    public void Write(string relativeName, byte[] data, bool compress = false) => archive.Add(Prefix + relativeName, data, compress);

    /// <summary>Adds entry <c>Prefix + relativeName</c>, stored uncompressed from a file of <see cref="ScratchDirectory"/>.</summary>
    public void WriteFile(string relativeName, string path) => archive.AddFile(Prefix + relativeName, path);

    /// <summary>A new empty folder for entries too large for memory, deleted once the model file is written.</summary>
    public string ScratchDirectory() => archive.ScratchDirectory();

    /// <summary>Adds a UTF-8 text entry (compressed).</summary>
    public void WriteText(string relativeName, string text) => Write(relativeName, new UTF8Encoding(false).GetBytes(text), compress: true);

    /// <summary>Adds an ML.NET model zip holding only <paramref name="schema"/> (its column types and annotations).</summary>
    public void WriteSchema(string relativeName, DataViewSchema schema) => Write(relativeName, MlNetModels.SaveSchema(Context, schema));
}
