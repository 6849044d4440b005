using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML.Shira.IO;
using Microsoft.ML.Shira.IO.Folders;
using Microsoft.ML.Shira.IO.Safetensors;

namespace Microsoft.ML.Shira.Checkpoints.HuggingFace;

/// <summary>
/// The weights of a model folder: <c>model.safetensors</c>, or the shards listed in <c>model.safetensors.index.json</c>.
/// Maps every tensor name to the parsed file that holds it. Files on disk are memory-mapped (see
/// <see cref="SafetensorsFile.Open"/>); dispose the checkpoint to unmap them.
/// </summary>
internal sealed class HuggingFaceCheckpointFiles : IDisposable
{
    private readonly Dictionary<string, SafetensorsFile> _fileOf;

    private HuggingFaceCheckpointFiles(string description, Dictionary<string, SafetensorsFile> fileOf)
    {
        Description = description;
        _fileOf = fileOf;
    }

    /// <summary>The weights file (or index) named in messages.</summary>
    public string Description { get; }

    /// <summary>Every tensor name of the checkpoint.</summary>
    public IEnumerable<string> Names => _fileOf.Keys;

    /// <summary>True when a tensor of that name exists.</summary>
    public bool Contains(string name) => _fileOf.ContainsKey(name);

    /// <summary>The file holding a tensor.</summary>
    public SafetensorsFile FileOf(string name) => _fileOf[name];

    /// <summary>Unmaps every file.</summary>
    public void Dispose()
    {
        foreach (var file in _fileOf.Values.Distinct())
            file.Dispose();
    }

    /// <summary>Finds and parses the weights of <paramref name="source"/>.</summary>
    /// <exception cref="ShiraFormatException">Files missing, truncated or inconsistent; the message names the file.</exception>
    public static HuggingFaceCheckpointFiles Open(IModelFileSource source)
    {
        if (source.Exists(HuggingFaceLoader.WeightsFileName))
        {
            var file = Parse(source, HuggingFaceLoader.WeightsFileName);
            return new HuggingFaceCheckpointFiles($"'{file.Source}'", file.Entries.Keys.ToDictionary(n => n, _ => file, StringComparer.Ordinal));
        }
        if (source.Exists(HuggingFaceLoader.IndexFileName))
            return OpenSharded(source);
        string legacy = source.Exists("pytorch_model.bin") ? $" It has '{source.Describe("pytorch_model.bin")}', but only safetensors weights are supported." : "";
        throw new ShiraFormatException(
            $"Model weights not found: neither '{source.Describe(HuggingFaceLoader.WeightsFileName)}' nor '{source.Describe(HuggingFaceLoader.IndexFileName)}' exists.{legacy}");
    }

    private static HuggingFaceCheckpointFiles OpenSharded(IModelFileSource source)
    {
        string index = source.Describe(HuggingFaceLoader.IndexFileName);
        var weightMap = ReadWeightMap(source, index);
        var shards = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
        try
        {
            foreach (string shard in weightMap.Values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                if (!source.Exists(shard))
                    throw new ShiraFormatException($"Shard '{source.Describe(shard)}' listed in '{index}' does not exist.");
                shards[shard] = Parse(source, shard);
            }
            return Index(index, weightMap, shards);
        }
        catch
        {
            foreach (var file in shards.Values)
                file.Dispose();
            throw;
        }
    }

    private static HuggingFaceCheckpointFiles Index(string index, Dictionary<string, string> weightMap, Dictionary<string, SafetensorsFile> shards)
    {
        var fileOf = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
        foreach (var (shard, file) in shards)
        {
            foreach (string name in file.Entries.Keys)
            {
                if (!fileOf.TryAdd(name, file))
                    throw new ShiraFormatException($"Tensor '{name}' is stored twice, in '{fileOf[name].Source}' and in '{file.Source}' (index '{index}').");
            }
        }
        foreach (var (name, shard) in weightMap)
        {
            if (!shards[shard].Contains(name))
                throw new ShiraFormatException($"Index '{index}' maps tensor '{name}' to shard '{shards[shard].Source}', which does not contain it.");
        }
        return new HuggingFaceCheckpointFiles($"'{index}' ({shards.Count} shards)", fileOf);
    }

    private static Dictionary<string, string> ReadWeightMap(IModelFileSource source, string index)
    {
        var root = JsonText.ParseNode(source.ReadAllBytes(HuggingFaceLoader.IndexFileName), $"Index '{index}'");
        if ((root as JsonObject)?["weight_map"] is not JsonObject map)
            throw new ShiraFormatException($"Index '{index}' has no 'weight_map' object.");
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in map)
        {
            if (value is not JsonValue v || v.GetValueKind() != JsonValueKind.String || string.IsNullOrWhiteSpace(v.GetValue<string>()))
                throw new ShiraFormatException($"Index '{index}': the shard of tensor '{name}' must be a file name, got {value?.ToJsonString() ?? "null"}.");
            result[name] = v.GetValue<string>();
        }
        return result;
    }

    private static SafetensorsFile Parse(IModelFileSource source, string fileName) => source.OpenSafetensors(fileName);
}
