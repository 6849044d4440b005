using System.Text.Json;
using Microsoft.ML.Shira.Adapters;
using Microsoft.ML.Shira.IO;
using Microsoft.ML.Shira.IO.Safetensors;
using Microsoft.ML.Shira.Masks;
using Microsoft.ML.Shira.Models;

namespace Microsoft.ML.Shira.Checkpoints.Peft;

/// <summary>
/// Reads and writes SHiRA adapters in Hugging Face PEFT's format: <c>adapter_model.safetensors</c> with
/// <c>base_model.model.&lt;path&gt;.shira_weight</c> ([N] float) and <c>.shira_indices</c> ([2, N] int32; int64 and the
/// float32 written on Windows are accepted) per layer, plus <c>adapter_config.json</c>. Our extras (name, layer shapes,
/// base fingerprint, budget, library version) travel in the safetensors <c>__metadata__</c>, which PEFT ignores.
/// </summary>
/// <remarks>
/// Layout: indices address the adapted weight as the Hugging Face module stores it. For a <c>Linear</c> that is
/// <c>[out, in]</c>, the layout of <see cref="SparseAdapterLayer"/>. For a GPT-2 style <c>Conv1D</c> (weight stored
/// <c>[in, out]</c>; see <see cref="IHuggingFaceModel.FanInFanOutModules"/>) the file follows PEFT's
/// <c>fan_in_fan_out</c> convention: the config says <c>"fan_in_fan_out": true</c> and each index pair is
/// (input, output), i.e. rows and columns swapped. The metadata key <c>shira.fan_in_fan_out</c> lists those module paths;
/// <c>shira.shapes</c> always gives <c>[out_features, in_features]</c>. Loading swaps them back, so a loaded adapter is
/// always in the <c>[out, in]</c> layout of the in-memory model.
/// </remarks>
public static class PeftShiraAdapterFile
{
    /// <summary>File name of the weights.</summary>
    public const string WeightsFileName = "adapter_model.safetensors";

    /// <summary>File name of the configuration.</summary>
    public const string ConfigFileName = "adapter_config.json";

    private const string KeyPrefix = "base_model.model.";
    private const string ValuesSuffix = ".shira_weight";
    private const string IndicesSuffix = ".shira_indices";
    private const string FanInFanOutKey = "shira.fan_in_fan_out";
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>Writes the adapter into <paramref name="directory"/> (created if missing); each file is written atomically.</summary>
    /// <param name="adapter">The adapter, in the <c>[out, in]</c> layout.</param>
    /// <param name="directory">Target folder.</param>
    /// <param name="fanInFanOutModules">
    /// Module paths whose Hugging Face weight is a Conv1D stored <c>[in, out]</c> (e.g. a GPT-2 model's
    /// <see cref="IHuggingFaceModel.FanInFanOutModules"/>); their indices are written in that layout and the
    /// config gets <c>fan_in_fan_out: true</c>. Null or empty: every layer is a Linear.
    /// </param>
    public static void Save(SparseAdapter adapter, string directory, IReadOnlySet<string>? fanInFanOutModules = null)
    {
        ArgumentNullException.ThrowIfNull(adapter);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory.CreateDirectory(directory);
        var (tensors, metadata, config) = Prepare(adapter, fanInFanOutModules);
        try
        {
            // The weights are streamed, so an adapter file is not limited to 2 GB.
            AtomicFile.WriteAll(directory, new List<KeyValuePair<string, Action<Stream>>>
            {
                new(WeightsFileName, stream => SafetensorsWriter.Write(stream, tensors, metadata)),
                new(ConfigFileName, stream => stream.Write(config)),
            });
        }
        finally
        {
            foreach (var t in tensors.Values)
                t.Dispose();
        }
    }

    /// <summary>
    /// The two files of <see cref="Save"/> as bytes: <c>adapter_model.safetensors</c> and <c>adapter_config.json</c>
    /// (UTF-8), e.g. to store them inside another container. <see cref="FromBytes"/> reads them back.
    /// </summary>
    /// <param name="adapter">The adapter, in the <c>[out, in]</c> layout.</param>
    /// <param name="fanInFanOutModules">Module paths stored as Conv1D <c>[in, out]</c>, as for <see cref="Save"/>.</param>
    public static (byte[] Weights, byte[] Config) ToBytes(SparseAdapter adapter, IReadOnlySet<string>? fanInFanOutModules = null)
    {
        ArgumentNullException.ThrowIfNull(adapter);
        var (tensors, metadata, config) = Prepare(adapter, fanInFanOutModules);
        try
        {
            return (SafetensorsWriter.ToBytes(tensors, metadata), config);
        }
        finally
        {
            foreach (var t in tensors.Values)
                t.Dispose();
        }
    }

    /// <summary>The tensors (the caller disposes them), safetensors metadata and config bytes of an adapter's two files.</summary>
    private static (Dictionary<string, Tensor> Tensors, Dictionary<string, string> Metadata, byte[] Config) Prepare(
        SparseAdapter adapter, IReadOnlySet<string>? fanInFanOutModules)
    {
        var meta = adapter.Metadata;
        var transposed = adapter.Layers.Keys.Where(p => fanInFanOutModules?.Contains(p) == true).Order(StringComparer.Ordinal).ToList();

        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        Dictionary<string, string> metadata;
        try
        {
            foreach (var layer in adapter.Layers.Values)
            {
                // Row-major order of the stored weight: [out, in] for Linear, [in, out] for Conv1D (fan_in_fan_out).
                bool fanInFanOut = fanInFanOutModules?.Contains(layer.ModulePath) == true;
                var indices = new int[2 * layer.Count];
                (fanInFanOut ? layer.Columns : layer.Rows).CopyTo(indices, 0);
                (fanInFanOut ? layer.Rows : layer.Columns).CopyTo(indices, layer.Count);
                tensors[KeyPrefix + layer.ModulePath + ValuesSuffix] = tensor(layer.Values);
                tensors[KeyPrefix + layer.ModulePath + IndicesSuffix] = tensor(indices).view(2, layer.Count);
            }
            var shapes = adapter.Layers.Values.ToDictionary(l => l.ModulePath, l => new[] { l.OutFeatures, l.InFeatures });
            metadata = new Dictionary<string, string>
            {
                ["format"] = "pt",
                ["shira.name"] = adapter.Name,
                ["shira.shapes"] = JsonSerializer.Serialize(shapes),
                ["shira.mask_type"] = meta.MaskType.ToString(),
                ["shira.sparsity"] = meta.Sparsity.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
                ["shira.rank"] = meta.Rank.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["shira.dtype"] = meta.DType,
                ["shira.library_version"] = meta.LibraryVersion,
            };
            if (meta.BaseModelFingerprint is not null)
                metadata["shira.base_fingerprint"] = meta.BaseModelFingerprint;
            if (meta.BaseModelDType is not null)
                metadata["shira.base_dtype"] = meta.BaseModelDType;
            if (transposed.Count > 0)
                metadata[FanInFanOutKey] = JsonSerializer.Serialize(transposed);
        }
        catch
        {
            foreach (var t in tensors.Values)
                t.Dispose();
            throw;
        }

        var first = adapter.Layers.Values.FirstOrDefault();
        var config = new PeftAdapterConfig
        {
            R = meta.Rank > 0 ? meta.Rank : first is null ? 0 : (int)Math.Max(1, Math.Round((double)first.Count / (first.OutFeatures + first.InFeatures))),
            MaskType = ToPeftMaskName(meta.MaskType),
            RandomSeed = meta.Seed,
            TargetModules = meta.TargetModules.ToList(),
            FanInFanOut = transposed.Count > 0,
            BaseModelNameOrPath = meta.BaseModelName,
            TaskType = meta.TaskType,
        };
        return (tensors, metadata, new System.Text.UTF8Encoding(false).GetBytes(JsonSerializer.Serialize(config, Json)));
    }

    /// <summary>
    /// Reads an adapter. Layer shapes come from our metadata or, for adapters written by Python PEFT, from
    /// <paramref name="shapeOf"/> (module path → [out, in], e.g. from the base model). Indices written in the Conv1D
    /// layout are swapped back to <c>[out, in]</c>: those of the modules our <c>shira.fan_in_fan_out</c> metadata lists or,
    /// for a file without it whose config says <c>fan_in_fan_out: true</c>, those in <paramref name="fanInFanOutModules"/>
    /// (every layer when that is null).
    /// </summary>
    /// <exception cref="FileNotFoundException">A file is missing.</exception>
    /// <exception cref="ShiraFormatException">A file is corrupt, truncated or inconsistent; the message names file and tensor.</exception>
    public static SparseAdapter Load(string directory, string? name = null, Func<string, (long Out, long In)?>? shapeOf = null,
        IReadOnlySet<string>? fanInFanOutModules = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        string weightsPath = Path.Combine(directory, WeightsFileName);
        string configPath = Path.Combine(directory, ConfigFileName);
        if (!File.Exists(configPath))
            throw new FileNotFoundException($"PEFT adapter folder '{directory}' has no {ConfigFileName}.", configPath);
        var config = ReadConfig(File.ReadAllBytes(configPath), configPath);
        using var file = SafetensorsFile.Open(weightsPath);
        string folderName = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory)));
        return Read(file, config, name, folderName, shapeOf, fanInFanOutModules);
    }

    /// <summary>
    /// Reads an adapter from the bytes of its two files (see <see cref="ToBytes"/>), with the same checks and options as
    /// <see cref="Load(string, string?, Func{string, ValueTuple{long, long}?}?, IReadOnlySet{string}?)"/>.
    /// </summary>
    /// <param name="weights">Contents of <c>adapter_model.safetensors</c>.</param>
    /// <param name="config">Contents of <c>adapter_config.json</c> (UTF-8).</param>
    /// <param name="source">Where the files come from (a folder, an archive entry), named in error messages as <c>source/file</c>.</param>
    /// <param name="name">Adapter name; default the name stored in the file, else <c>adapter</c>.</param>
    /// <param name="shapeOf">Layer shapes for files without our metadata.</param>
    /// <param name="fanInFanOutModules">Conv1D modules for files without our metadata whose config says <c>fan_in_fan_out: true</c>.</param>
    /// <exception cref="ShiraFormatException">A file is corrupt, truncated or inconsistent; the message names file and tensor.</exception>
    public static SparseAdapter FromBytes(byte[] weights, byte[] config, string source, string? name = null,
        Func<string, (long Out, long In)?>? shapeOf = null, IReadOnlySet<string>? fanInFanOutModules = null)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(source);
        var parsedConfig = ReadConfig(config, $"{source}/{ConfigFileName}");
        var file = SafetensorsFile.Parse(weights, $"{source}/{WeightsFileName}");
        return Read(file, parsedConfig, name, "adapter", shapeOf, fanInFanOutModules);
    }

    private static SparseAdapter Read(SafetensorsFile file, PeftAdapterConfig config, string? name, string fallbackName,
        Func<string, (long Out, long In)?>? shapeOf, IReadOnlySet<string>? fanInFanOutModules)
    {
        string weightsPath = file.Source;
        var shapes = ReadShapes(file);
        var transposed = ReadFanInFanOut(file, config, fanInFanOutModules);
        var layers = new List<SparseAdapterLayer>();
        foreach (var key in file.Entries.Keys.Where(k => k.EndsWith(ValuesSuffix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            string stem = key[..^ValuesSuffix.Length];
            string path = stem.StartsWith(KeyPrefix, StringComparison.Ordinal) ? stem[KeyPrefix.Length..] : stem;
            string indicesKey = stem + IndicesSuffix;
            if (!file.Contains(indicesKey))
                throw new ShiraFormatException($"Adapter file '{weightsPath}': tensor '{key}' has no matching '{indicesKey}'.");
            float[] values = ReadValues(file, key);
            var (rows, columns) = ReadIndices(file, indicesKey, values.Length);
            if (transposed(path))
                (rows, columns) = (columns, rows);
            (long Out, long In)? shape = shapes.TryGetValue(path, out var s) ? (s[0], s[1]) : shapeOf?.Invoke(path);
            if (shape is null)
                throw new ShiraFormatException(shapeOf is null
                    ? $"Adapter file '{weightsPath}': the shape of layer '{path}' is unknown (no shira.shapes metadata); load it with the base model to supply shapes."
                    : $"Adapter file '{weightsPath}' adapts layer '{path}', which the base model does not have (no 2-D weight '{path}.weight'): the adapter was trained on another model or on modules this checkpoint lacks (e.g. a BERT pooler).");
            try
            {
                layers.Add(new SparseAdapterLayer(path, shape.Value.Out, shape.Value.In, rows, columns, values));
            }
            catch (ArgumentException ex)
            {
                throw new ShiraFormatException($"Adapter file '{weightsPath}', tensor '{indicesKey}': {ex.Message}", ex);
            }
        }
        foreach (var key in file.Entries.Keys.Where(k => k.EndsWith(IndicesSuffix, StringComparison.Ordinal)))
        {
            if (!file.Contains(key[..^IndicesSuffix.Length] + ValuesSuffix))
                throw new ShiraFormatException($"Adapter file '{weightsPath}': tensor '{key}' has no matching values tensor '{key[..^IndicesSuffix.Length] + ValuesSuffix}'.");
        }
        if (layers.Count == 0)
            throw new ShiraFormatException($"Adapter file '{weightsPath}' holds no SHiRA tensors (*{ValuesSuffix}).");

        var md = file.Metadata;
        var metadata = new AdapterMetadata
        {
            MaskType = md.TryGetValue("shira.mask_type", out var mt) && Enum.TryParse<MaskType>(mt, out var parsed) ? parsed : FromPeftMaskName(config.MaskType),
            Rank = md.TryGetValue("shira.rank", out var rank) ? ParseMetadata<int>(rank, "shira.rank", int.TryParse, file.Source) : config.R,
            Sparsity = md.TryGetValue("shira.sparsity", out var sp) ? ParseMetadata<double>(sp, "shira.sparsity", double.TryParse, file.Source) : 0,
            Seed = config.RandomSeed ?? 0,
            TargetModules = config.TargetModules ?? new List<string>(),
            BaseModelName = config.BaseModelNameOrPath,
            BaseModelFingerprint = md.GetValueOrDefault("shira.base_fingerprint"),
            BaseModelDType = md.GetValueOrDefault("shira.base_dtype") is { } baseDType && SafetensorsDType.IsKnown(baseDType) ? baseDType : null,
            TaskType = config.TaskType,
            DType = md.GetValueOrDefault("shira.dtype") ?? file.Entries.Values.First(e => e.Name.EndsWith(ValuesSuffix, StringComparison.Ordinal)).DType,
            LibraryVersion = md.GetValueOrDefault("shira.library_version") ?? "peft",
        };
        string adapterName = name ?? md.GetValueOrDefault("shira.name") ?? fallbackName;
        return new SparseAdapter(adapterName, layers, metadata);
    }

    /// <summary>
    /// Reads an adapter, taking layer shapes from the 2-D weights of <paramref name="baseModel"/> and, when it is an
    /// <see cref="IHuggingFaceModel"/>, its Conv1D modules from <see cref="IHuggingFaceModel.FanInFanOutModules"/>.
    /// </summary>
    public static SparseAdapter Load(string directory, nn.Module baseModel, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(baseModel);
        var shapes = baseModel.named_parameters()
            .Where(p => p.name.EndsWith(".weight", StringComparison.Ordinal) && p.parameter.dim() == 2)
            .ToDictionary(p => p.name[..^".weight".Length], p => (p.parameter.shape[0], p.parameter.shape[1]));
        var fanInFanOut = (baseModel as IHuggingFaceModel)?.FanInFanOutModules;
        return Load(directory, name, path => shapes.TryGetValue(path, out var s) ? s : null, fanInFanOut);
    }

    private delegate bool TryParse<T>(string text, System.Globalization.NumberStyles style, IFormatProvider provider, out T value);

    private static T ParseMetadata<T>(string text, string key, TryParse<T> parse, string source) =>
        parse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ShiraFormatException($"Adapter file '{source}': metadata '{key}' is '{text}', not a number.");

    private static PeftAdapterConfig ReadConfig(byte[] json, string path)
    {
        var config = JsonText.Deserialize<PeftAdapterConfig>(json, $"Adapter config '{path}'");
        if (config is null || !string.Equals(config.PeftType, "SHIRA", StringComparison.OrdinalIgnoreCase))
            throw new ShiraFormatException($"Adapter config '{path}' has peft_type '{config?.PeftType}'; only SHIRA adapters are supported.");
        return config;
    }

    /// <summary>Which layers of the file are in the Conv1D [in, out] layout.</summary>
    private static Func<string, bool> ReadFanInFanOut(SafetensorsFile file, PeftAdapterConfig config, IReadOnlySet<string>? fanInFanOutModules)
    {
        if (file.Metadata.TryGetValue(FanInFanOutKey, out var json))
        {
            var listed = JsonText.Deserialize<HashSet<string>>(json, $"Adapter file '{file.Source}': metadata '{FanInFanOutKey}'");
            if (listed is null || (listed.Count > 0 && !config.FanInFanOut))
                throw new ShiraFormatException($"Adapter file '{file.Source}': metadata '{FanInFanOutKey}' lists Conv1D layers but its {ConfigFileName} does not say fan_in_fan_out: true.");
            return listed.Contains;
        }
        if (!config.FanInFanOut)
            return _ => false;
        return fanInFanOutModules is null ? _ => true : fanInFanOutModules.Contains;
    }

    private static Dictionary<string, long[]> ReadShapes(SafetensorsFile file)
    {
        if (!file.Metadata.TryGetValue("shira.shapes", out var json))
            return new Dictionary<string, long[]>();
        var shapes = JsonText.Deserialize<Dictionary<string, long[]>>(json, $"Adapter file '{file.Source}': metadata 'shira.shapes'") ?? new Dictionary<string, long[]>();
        var bad = shapes.FirstOrDefault(s => s.Value is not { Length: 2 } || s.Value[0] <= 0 || s.Value[1] <= 0);
        if (bad.Key is not null)
            throw new ShiraFormatException($"Adapter file '{file.Source}': metadata 'shira.shapes' gives layer '{bad.Key}' the shape [{string.Join(", ", bad.Value ?? [])}]; expected [out, in] with positive sizes.");
        return shapes;
    }

    private static float[] ReadValues(SafetensorsFile file, string key)
    {
        var entry = file.GetEntry(key);
        if (entry.Shape.Length != 1)
            throw new ShiraFormatException($"Adapter file '{file.Source}': tensor '{key}' has shape [{string.Join(", ", entry.Shape)}]; expected [N].");
        if (entry.DType is not ("F32" or "F16" or "BF16" or "F64"))
            throw new ShiraFormatException($"Adapter file '{file.Source}': tensor '{key}' has dtype {entry.DType}; expected a float type.");
        using var values = file.GetTensor(key);
        using var f32 = values.to(ScalarType.Float32);
        return f32.data<float>().ToArray();
    }

    private static (int[] Rows, int[] Columns) ReadIndices(SafetensorsFile file, string key, int count)
    {
        var entry = file.GetEntry(key);
        if (entry.Shape.Length != 2 || entry.Shape[0] != 2 || entry.Shape[1] != count)
            throw new ShiraFormatException($"Adapter file '{file.Source}': tensor '{key}' has shape [{string.Join(", ", entry.Shape)}]; expected [2, {count}] to match its values.");
        using var raw = file.GetTensor(key);
        long[] flat;
        switch (entry.DType)
        {
            case "I32":
            case "I64":
                using (var i64 = raw.to(ScalarType.Int64))
                    flat = i64.data<long>().ToArray();
                break;
            case "F32":
                // PEFT on Windows writes the indices as float32.
                float[] floats = raw.data<float>().ToArray();
                if (floats.Any(f => f != MathF.Round(f) || f < 0))
                    throw new ShiraFormatException($"Adapter file '{file.Source}': float tensor '{key}' holds non-integer indices.");
                flat = floats.Select(f => (long)f).ToArray();
                break;
            default:
                throw new ShiraFormatException($"Adapter file '{file.Source}': tensor '{key}' has dtype {entry.DType}; expected I32, I64 or F32 indices.");
        }
        if (flat.Any(v => v < 0 || v > int.MaxValue))
            throw new ShiraFormatException($"Adapter file '{file.Source}': tensor '{key}' holds negative or out-of-range indices.");
        return (flat.Take(count).Select(v => (int)v).ToArray(), flat.Skip(count).Select(v => (int)v).ToArray());
    }

    private static string ToPeftMaskName(MaskType type) => type switch
    {
        MaskType.Random => "random",
        MaskType.Struct => "struct",
        MaskType.WeightMagnitude => "weight_magnitude",
        MaskType.Gradient => "gradient",
        MaskType.Snip => "snip",
        _ => type.ToString().ToLowerInvariant(),
    };

    private static MaskType FromPeftMaskName(string name) =>
        Enum.GetValues<MaskType>().FirstOrDefault(t => ToPeftMaskName(t) == name, MaskType.Random);
}
