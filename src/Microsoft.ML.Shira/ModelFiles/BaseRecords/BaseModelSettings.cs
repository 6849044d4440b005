using System.Text.Json.Nodes;
using Microsoft.ML.Shira.Adapters;
using Microsoft.ML.Shira.BaseModels;
using Microsoft.ML.Shira.ModelFiles.Persistence;

namespace Microsoft.ML.Shira.ModelFiles.BaseRecords;

/// <summary>
/// Writes and reads the <c>base</c> settings of a SHiRA transformer (<c>{ id, fingerprint, precision, embedded }</c>; the
/// fingerprint is <see cref="Adapters.BaseModelFingerprint.OfModel"/>; <c>precision</c>, the weights' type, is written
/// only when not float32, and absent means float32, so files written before it existed read as they always did) and, with
/// <see cref="ShiraSaveOptions.EmbedBaseModel"/>, the base model as a Hugging Face model folder under <c>base/</c>.
/// Shared by every transformer kind; each kind supplies the folder's files and builds its model from them.
/// </summary>
internal static class BaseModelSettings
{
    /// <summary>Folder of the embedded base model, relative to the transformer's folder.</summary>
    public const string Folder = "base/";

    private const string Key = "base";

    private const string PrecisionKey = "precision";

    /// <summary>Records the base model and, when the options ask for it, embeds its files.</summary>
    /// <param name="writer">The transformer's writer.</param>
    /// <param name="id">Id of the base model.</param>
    /// <param name="fingerprint">Fingerprint of its weights.</param>
    /// <param name="precision">Element type of its weights; a loaded model is rebuilt in it.</param>
    /// <param name="builtIn">True when this library ships the base model, so the file can refer to it by id.</param>
    /// <param name="writeFolder">Writes the Hugging Face folder into the given empty folder when embedding; returns the file names.</param>
    /// <exception cref="InvalidOperationException">The base model is not built in and embedding was not requested.</exception>
    public static void Write(ShiraModelWriter writer, string id, string fingerprint, ShiraPrecision precision, bool builtIn, Func<string, IReadOnlyList<string>> writeFolder)
    {
        bool embed = writer.Options.EmbedBaseModel;
        if (!embed && !builtIn)
            throw new InvalidOperationException(
                $"The base model '{id}' does not ship with Microsoft.ML.Shira, so a model file cannot refer to it by id. " +
                "Save with new ShiraSaveOptions { EmbedBaseModel = true } to store its weights in the file.");
        if (embed)
        {
            // Text is deflated and kept in memory; weights and other binary files are stored and streamed from the scratch folder.
            string scratch = writer.ScratchDirectory();
            foreach (string name in writeFolder(scratch).Order(StringComparer.Ordinal))
            {
                string path = Path.Combine(scratch, name);
                if (name.EndsWith(".json", StringComparison.Ordinal) || name.EndsWith(".txt", StringComparison.Ordinal))
                    writer.Write(Folder + name, File.ReadAllBytes(path), compress: true);
                else
                    writer.WriteFile(Folder + name, path);
            }
        }
        var node = new JsonObject
        {
            ["id"] = id,
            ["fingerprint"] = fingerprint,
        };
        if (precision != ShiraPrecision.Float32)
            node[PrecisionKey] = precision.ToFileName();
        node["embedded"] = embed ? Folder : null;
        writer.Settings[Key] = node;
    }

    /// <summary>Reads the base settings of a transformer.</summary>
    public static BaseModelReference Read(ShiraModelReader reader)
    {
        var node = reader.Settings.Object(Key);
        string? folder = node.OptionalString("embedded");
        var precision = ShiraPrecision.Float32;
        if (node.OptionalString(PrecisionKey) is { } name)
            precision = ShiraPrecisions.FromFileName(name)
                ?? throw node.Error($"is '{name}'; expected float32, bfloat16 or float16.", PrecisionKey);
        return new BaseModelReference(node.String("id"), node.String("fingerprint"), precision, folder is null ? null : reader.Folder(folder), folder);
    }

    /// <summary>The error for base weights whose fingerprint differs from the one recorded.</summary>
    public static InvalidOperationException FingerprintMismatch(ShiraModelReader reader, BaseModelReference reference, string actual) =>
        new($"SHiRA model file '{reader.Source}': the base model of the transformer in '{reader.Prefix}' does not match the one its adapters were trained on. " +
            $"The manifest entry '{Archive.ArchiveEntryNames.Manifest}' (field '{reader.Settings.Path}.{Key}.fingerprint') records base '{reference.Id}' with fingerprint " +
            $"{Short(reference.Fingerprint)}, but the " +
            (reference.Embedded is null ? $"built-in '{reference.Id}' of Microsoft.ML.Shira {ShiraInfo.Version}" : $"weights embedded in '{reader.EntryName(reference.EmbeddedFolder!)}'") +
            $" have fingerprint {Short(actual)}. Load the model with the library version that saved it, or save it again with EmbedBaseModel = true.");

    /// <summary>The error for a base model that is neither embedded in the file nor built into this library.</summary>
    public static ShiraFormatException NotAvailable(ShiraModelReader reader, BaseModelReference reference) =>
        reader.Settings.Error(
            $"names base model '{reference.Id}', which is neither embedded in the file nor built into Microsoft.ML.Shira {ShiraInfo.Version}.", "base.id");

    private static string Short(string fingerprint) => fingerprint.Length > 16 ? fingerprint[..16] + "…" : fingerprint;
}
