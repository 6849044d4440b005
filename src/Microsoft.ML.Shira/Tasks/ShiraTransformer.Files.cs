using System.Text.Json.Nodes;
using Microsoft.ML.Shira.Checkpoints.HuggingFace;
using Microsoft.ML.Shira.Checkpoints.Peft;
using Microsoft.ML.Shira.IO;
using Microsoft.ML.Shira.Inference;
using Microsoft.ML.Shira.ModelFiles.BaseRecords;
using Microsoft.ML.Shira.ModelFiles.Persistence;

namespace Microsoft.ML.Shira;

/// <summary>
/// How every SHiRA transformer is written into a model file and exported; a task adds its settings, its files per
/// adapter and its base model's folder.
/// </summary>
public abstract partial class ShiraTransformer : IShiraPersistable, IShiraExportable
{
    /// <summary>Stable name of the task in model files, e.g. <c>text-classification</c>; its loader is registered under it.</summary>
    internal abstract string Kind { get; }

    string IShiraPersistable.Kind => Kind;

    /// <summary>
    /// Writes the settings (the task's, then the base model reference or weights, the adapters with their PEFT files and
    /// the task's files, and the active selection) and the entries.
    /// </summary>
    void IShiraPersistable.WriteTo(ShiraModelWriter writer)
    {
        ThrowIfDisposed();
        var selection = _selection;
        var entries = _engine.Snapshot();
        var settings = writer.Settings;
        WriteSettings(settings);
        var baseModel = _engine.BaseModel;
        BaseModelSettings.Write(writer, baseModel.Id, _engine.BaseFingerprint, baseModel.IsBuiltIn,
            weights => _engine.WithBaseWeights(() => FolderFiles(weights, writer.Options.MaxEmbeddedShardBytes)));

        var fanInFanOut = _engine.FanInFanOutModules;
        var adapters = new JsonArray();
        for (int i = 0; i < entries.Count; i++)
        {
            var (folder, json) = AdapterFolders.Write(writer, i, entries[i].Adapter, fanInFanOut);
            WriteAdapterFiles(writer, entries[i], folder, json);
            adapters.Add(json);
        }
        settings["adapters"] = adapters;
        AdapterFolders.RequireSelected(selection.Names, entries.Select(e => e.Adapter));
        settings["active"] = SelectionJson(selection);
    }

    /// <summary>Writes the adapter's PEFT files and the task's files with it, all or none (see <see cref="AtomicFile.WriteAll(string, IReadOnlyDictionary{string, byte[]})"/>).</summary>
    void IShiraExportable.ExportAdapter(string adapterName, string directory)
    {
        ThrowIfDisposed();
        var (weights, config) = PeftShiraAdapterFile.ToBytes(GetAdapter(adapterName), _engine.FanInFanOutModules);
        var files = new Dictionary<string, byte[]>(ExportAdapterFiles(adapterName), StringComparer.Ordinal)
        {
            [PeftShiraAdapterFile.WeightsFileName] = weights,
            [PeftShiraAdapterFile.ConfigFileName] = config,
        };
        AtomicFile.WriteAll(directory, files);
    }

    /// <summary>Writes the fused model folder and the task's files with it, all or none.</summary>
    void IShiraExportable.ExportFused(string directory, IReadOnlyList<(string Name, double Alpha)>? adapters)
    {
        ThrowIfDisposed();
        var selection = adapters is null ? _selection : Fusion(adapters);
        var weights = Directory.CreateTempSubdirectory("shira-export-").FullName;
        try
        {
            var files = new Dictionary<string, byte[]>(_engine.WithFused(selection, () => FolderFiles(weights, HuggingFaceExporter.DefaultMaxShardBytes)), StringComparer.Ordinal);
            foreach (var (name, data) in ExportFusedFiles(selection))
                files[name] = data;
            var writes = files.Select(f => new KeyValuePair<string, Action<Stream>>(f.Key, s => s.Write(f.Value))).ToList();
            foreach (string path in Directory.GetFiles(weights).Order(StringComparer.Ordinal))
                writes.Add(new(Path.GetFileName(path), s => { using var input = File.OpenRead(path); input.CopyTo(s, 1 << 20); }));
            AtomicFile.WriteAll(directory, writes);
            HuggingFaceExporter.RemoveStaleWeights(directory, writes.Select(w => w.Key).ToHashSet(StringComparer.Ordinal));
        }
        finally
        {
            Directory.Delete(weights, recursive: true);
        }
    }

    /// <summary>Writes the task's settings (columns, lengths, …), the first fields of the transformer's settings.</summary>
    private protected abstract void WriteSettings(JsonObject settings);

    /// <summary>Writes what the task keeps with an adapter into its <paramref name="folder"/> and settings <paramref name="json"/>.</summary>
    private protected virtual void WriteAdapterFiles(ShiraModelWriter writer, AdapterEntry entry, string folder, JsonObject json)
    {
    }

    /// <summary>The <c>active</c> settings of <paramref name="selection"/>.</summary>
    private protected abstract JsonNode SelectionJson(FusedAdapterSelection selection);

    /// <summary>
    /// The base model's Hugging Face folder with the weights as they are now (called under the engine's write lock): the
    /// weights are written into <paramref name="weightsDirectory"/> in files of at most <paramref name="maxShardBytes"/>,
    /// the other files are returned (name → bytes).
    /// </summary>
    private protected abstract IReadOnlyDictionary<string, byte[]> FolderFiles(string weightsDirectory, long maxShardBytes);

    /// <summary>What the task keeps with adapter <paramref name="adapterName"/>, exported next to its PEFT files (name → bytes).</summary>
    private protected virtual IReadOnlyDictionary<string, byte[]> ExportAdapterFiles(string adapterName) => new Dictionary<string, byte[]>();

    /// <summary>What the task needs next to a fused model folder of <paramref name="selection"/> (name → bytes).</summary>
    private protected virtual IReadOnlyDictionary<string, byte[]> ExportFusedFiles(FusedAdapterSelection selection) => new Dictionary<string, byte[]>();
}
