using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.ML.Shira.IO;
using Microsoft.ML.Shira.IO.Safetensors;
using Microsoft.ML.Shira.Models;

namespace Microsoft.ML.Shira.Checkpoints.HuggingFace;

/// <summary>
/// Writes a model as a Hugging Face folder: <c>config.json</c> and <c>model.safetensors</c> (tensors in the model's
/// dtype, sorted by name, <c>__metadata__ {"format": "pt"}</c>) or, when the weights exceed the shard size, shards
/// <c>model-00001-of-0000N.safetensors</c> with a <c>model.safetensors.index.json</c> as transformers'
/// <c>save_pretrained</c> writes them. The weights are streamed tensor by tensor (no 2 GB limit; the extra memory is
/// the largest tensor). All files are written atomically and renamed together; weight files of the other layout left
/// by an earlier export are then removed, so the folder never offers two sets of weights. A tensor shared by several
/// modules is written once, under its first name. Weights of <see cref="IHuggingFaceModel.FanInFanOutModules"/> are
/// written transposed, as the <c>[in, out]</c> Conv1D layout Hugging Face uses. <see cref="HuggingFaceLoader"/> reads
/// the export back bit for bit.
/// </summary>
public static partial class HuggingFaceExporter
{
    /// <summary>Default largest shard: 5 GB (10^9 bytes each), the value usually passed as <c>max_shard_size="5GB"</c>.</summary>
    public const long DefaultMaxShardBytes = 5_000_000_000;

    private static readonly IReadOnlyDictionary<string, string> Metadata = new Dictionary<string, string> { ["format"] = "pt" };

    /// <summary>Writes <paramref name="model"/> into <paramref name="directory"/> (created when missing; existing files replaced).</summary>
    public static void Save(IHuggingFaceModel model, string directory) => Save(model, directory, DefaultMaxShardBytes);

    /// <summary>
    /// Writes <paramref name="model"/> into <paramref name="directory"/>, in shards of at most
    /// <paramref name="maxShardBytes"/> of tensor data (a single tensor larger than that gets a shard of its own).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxShardBytes"/> is not positive.</exception>
    public static void Save(IHuggingFaceModel model, string directory, long maxShardBytes)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxShardBytes);
        byte[] config = new UTF8Encoding(false).GetBytes(model.ToConfigJson());
        WriteWeights(model, directory, maxShardBytes, [new(HuggingFaceLoader.ConfigFileName, s => s.Write(config))]);
    }

    /// <summary>
    /// Writes a model folder into <paramref name="directory"/>, all files or none: the weights of <paramref name="model"/>
    /// (<c>model.safetensors</c>, or shards of at most <paramref name="maxShardBytes"/> and their index, streamed tensor
    /// by tensor) and <paramref name="files"/> (configuration, tokenizer, …) as given.
    /// </summary>
    /// <returns>The names of the files written.</returns>
    internal static IReadOnlyList<string> SaveFolder(IHuggingFaceModel model, string directory, long maxShardBytes, IReadOnlyDictionary<string, byte[]> files)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(files);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxShardBytes);
        return WriteWeights(model, directory, maxShardBytes, files.Select(f => KeyValuePair.Create<string, Action<Stream>>(f.Key, s => s.Write(f.Value))).ToList());
    }

    private static IReadOnlyList<string> WriteWeights(IHuggingFaceModel model, string directory, long maxShardBytes, IReadOnlyList<KeyValuePair<string, Action<Stream>>> others)
    {
        using var tensors = new ExportTensors(model);
        var shards = Shard(tensors.List, maxShardBytes);
        var files = new List<KeyValuePair<string, Action<Stream>>>();
        if (shards.Count == 1)
        {
            files.Add(new(HuggingFaceLoader.WeightsFileName, s => SafetensorsWriter.Write(s, shards[0], Metadata)));
        }
        else
        {
            var weightMap = new SortedDictionary<string, string>(StringComparer.Ordinal);
            for (int i = 0; i < shards.Count; i++)
            {
                string name = ShardName(i + 1, shards.Count);
                var shard = shards[i];
                files.Add(new(name, s => SafetensorsWriter.Write(s, shard, Metadata)));
                foreach (var (tensorName, _) in shard)
                    weightMap[tensorName] = name;
            }
            long totalSize = tensors.List.Sum(t => SafetensorsWriter.DataBytes(t.Value));
            byte[] index = JsonSerializer.SerializeToUtf8Bytes(
                new { metadata = new { total_size = totalSize }, weight_map = weightMap }, new JsonSerializerOptions { WriteIndented = true });
            files.Add(new(HuggingFaceLoader.IndexFileName, s => s.Write(index)));
        }
        files.AddRange(others);
        AtomicFile.WriteAll(directory, files);
        var names = files.Select(f => f.Key).ToList();
        RemoveStaleWeights(directory, names.ToHashSet(StringComparer.Ordinal));
        return names;
    }

    /// <summary>transformers' shard file name: <c>model-00002-of-00003.safetensors</c>.</summary>
    internal static string ShardName(int number, int count) => $"model-{number:D5}-of-{count:D5}.safetensors";

    /// <summary>Consecutive runs of the name-sorted tensors whose data stays within <paramref name="maxShardBytes"/>.</summary>
    private static List<List<KeyValuePair<string, Tensor>>> Shard(IReadOnlyList<KeyValuePair<string, Tensor>> tensors, long maxShardBytes)
    {
        var shards = new List<List<KeyValuePair<string, Tensor>>> { new() };
        long size = 0;
        foreach (var entry in tensors.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            long bytes = SafetensorsWriter.DataBytes(entry.Value);
            if (shards[^1].Count > 0 && size + bytes > maxShardBytes)
            {
                shards.Add(new());
                size = 0;
            }
            shards[^1].Add(entry);
            size += bytes;
        }
        return shards;
    }

    private static void RemoveStaleWeights(string directory, IReadOnlySet<string> written)
    {
        foreach (string path in Directory.EnumerateFiles(directory))
        {
            string name = Path.GetFileName(path);
            bool weights = name == HuggingFaceLoader.WeightsFileName || name == HuggingFaceLoader.IndexFileName || ShardFile().IsMatch(name);
            if (weights && !written.Contains(name))
                File.Delete(path);
        }
    }

    [GeneratedRegex(@"^model-\d{5}-of-\d{5}\.safetensors$")]
    private static partial Regex ShardFile();

    /// <summary>The tensors to write, by name: shared tensors once, Conv1D weights as transposed views (copied only while written).</summary>
    private sealed class ExportTensors : IDisposable
    {
        private readonly List<Tensor> _views = new();

        public ExportTensors(IHuggingFaceModel model)
        {
            var seen = new HashSet<IntPtr>();
            foreach (var (name, tensor) in model.Module.state_dict())
            {
                if (!seen.Add(tensor.Handle))
                    continue;
                if (FanInFanOut.IsTransposed(model, name) && tensor.dim() == 2)
                {
                    var view = tensor.detach().t();
                    _views.Add(view);
                    List.Add(new(name, view));
                }
                else
                {
                    List.Add(new(name, tensor));
                }
            }
        }

        public List<KeyValuePair<string, Tensor>> List { get; } = new();

        public void Dispose()
        {
            foreach (var view in _views)
                view.Dispose();
        }
    }
}
