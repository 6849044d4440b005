using System.Text.Json.Nodes;
using Microsoft.ML.Shira.Adapters;
using Microsoft.ML.Shira.Checkpoints.Peft;
using Microsoft.ML.Shira.ModelFiles.Manifest;

namespace Microsoft.ML.Shira.ModelFiles.Persistence;

/// <summary>
/// The adapters of a transformer in a model file: one folder <c>adapters/&lt;i&gt;/</c> per adapter holding its PEFT
/// files, listed in the settings as <c>{ name, folder, parameters }</c>. A transformer kind may add fields and files.
/// </summary>
internal static class AdapterFolders
{
    /// <summary>Writes the PEFT files of adapter number <paramref name="index"/>; returns its folder and its settings entry.</summary>
    public static (string Folder, JsonObject Entry) Write(ShiraModelWriter writer, int index, SparseAdapter adapter, IReadOnlySet<string>? fanInFanOutModules = null)
    {
        string folder = $"adapters/{index}/";
        var (weights, config) = PeftShiraAdapterFile.ToBytes(adapter, fanInFanOutModules);
        writer.Write(folder + PeftShiraAdapterFile.WeightsFileName, weights);
        writer.Write(folder + PeftShiraAdapterFile.ConfigFileName, config, compress: true);
        return (folder, new JsonObject { ["name"] = adapter.Name, ["folder"] = folder, ["parameters"] = adapter.ParameterCount });
    }

    /// <summary>Reads the adapter a settings entry lists, from its PEFT files.</summary>
    public static (SparseAdapter Adapter, string Folder) Read(ShiraModelReader reader, ManifestNode entry)
    {
        string name = entry.String("name");
        string folder = entry.String("folder");
        var adapter = PeftShiraAdapterFile.FromBytes(
            reader.Read(folder + PeftShiraAdapterFile.WeightsFileName), reader.Read(folder + PeftShiraAdapterFile.ConfigFileName),
            Source(reader, folder), name);
        return (adapter, folder);
    }

    /// <summary>The adapter folder in messages.</summary>
    public static string Source(ShiraModelReader reader, string folder) => $"{reader.Source} (entry {reader.EntryName(folder)})";

    /// <summary>The adapter names, checked to be distinct.</summary>
    /// <exception cref="ShiraFormatException">A name is listed twice.</exception>
    public static IReadOnlySet<string> DistinctNames(ManifestNode settings, IReadOnlyList<string> names)
    {
        var duplicate = names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw settings.Error($"lists adapter '{duplicate.Key}' twice.", "adapters");
        return names.ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Checks that the adapters saved include every adapter <paramref name="selected"/> names.</summary>
    /// <exception cref="InvalidOperationException">An adapter was removed from the model while saving.</exception>
    public static void RequireSelected(IEnumerable<string> selected, IEnumerable<SparseAdapter> saved)
    {
        var names = saved.Select(a => a.Name).ToHashSet(StringComparer.Ordinal);
        var missing = selected.FirstOrDefault(n => !names.Contains(n));
        if (missing is not null)
            throw new InvalidOperationException($"The transformer selects adapter '{missing}', which was removed from the model while saving.");
    }
}
