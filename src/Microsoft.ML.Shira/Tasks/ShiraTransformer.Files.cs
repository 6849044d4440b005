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
        BaseModelSettings.Write(writer, baseModel.Id, _engine.BaseFingerprint, _engine.BasePrecision, baseModel.IsBuiltIn,
            folder => _engine.WithBaseWeights(() => WriteFolder(folder, writer.Options.MaxEmbeddedShardBytes, new Dictionary<string, byte[]>())));

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
        var files = ExportFusedFiles(selection);
        _engine.WithFused(selection, () => WriteFolder(directory, HuggingFaceExporter.DefaultMaxShardBytes, files));
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
    /// Writes the base model's Hugging Face folder with the weights as they are now into <paramref name="directory"/>, all
    /// files or none (called under the engine's write lock): weights in files of at most <paramref name="maxShardBytes"/>,
    /// configuration, tokenizer and <paramref name="extraFiles"/>.
    /// </summary>
    /// <returns>The names of the files written.</returns>
    private protected abstract IReadOnlyList<string> WriteFolder(string directory, long maxShardBytes, IReadOnlyDictionary<string, byte[]> extraFiles);

    /// <summary>What the task keeps with adapter <paramref name="adapterName"/>, exported next to its PEFT files (name → bytes).</summary>
    private protected virtual IReadOnlyDictionary<string, byte[]> ExportAdapterFiles(string adapterName) => new Dictionary<string, byte[]>();

    /// <summary>What the task needs next to a fused model folder of <paramref name="selection"/> (name → bytes).</summary>
    private protected virtual IReadOnlyDictionary<string, byte[]> ExportFusedFiles(FusedAdapterSelection selection) => new Dictionary<string, byte[]>();
}
