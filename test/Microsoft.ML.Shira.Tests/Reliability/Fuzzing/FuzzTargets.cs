using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.ML.Shira.BaseModels;
using Microsoft.ML.Shira.Checkpoints.HuggingFace;
using Microsoft.ML.Shira.Checkpoints.Peft;
using Microsoft.ML.Shira.IO.Folders;
using Microsoft.ML.Shira.IO.HuggingFace;
using Microsoft.ML.Shira.IO.Onnx;
using Microsoft.ML.Shira.IO.Safetensors;
using Microsoft.ML.Shira.Models.Bert;
using Microsoft.ML.Shira.Models.Llama;
using Microsoft.ML.Shira.Text;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Tests.Reliability.Fuzzing;

/// <summary>
/// Every reader of untrusted files, each with real seed files: checkpoints and PEFT adapters written by Hugging Face
/// transformers and PEFT (<c>data/arch-refs/llama-untied-gqa</c>), the embedded stories260K and MiniLM tokenizer files,
/// and a model zip saved by this library.
/// </summary>
internal static class FuzzTargets
{
    private static readonly Type[] FormatErrors = [typeof(ShiraFormatException)];

    private static string ArchRef(params string[] parts) => Path.Combine([TestPaths.Data, "arch-refs", "llama-untied-gqa", .. parts]);

    private static byte[] Stories260KFile(string name) => File.ReadAllBytes(Path.Combine(TestPaths.Stories260K, name));

    /// <summary>The targets of the test suite's run (the tool also uses them).</summary>
    public static IReadOnlyList<FuzzTarget> All() =>
    [
        Safetensors(), PeftAdapter(), ConfigJson(), ModelFolder(), ShardIndex(), SentencePieceTokenizer(), WordPieceVocabulary(), OnnxModel(),
    ];

    /// <summary>Every target's name, the model zip ones included.</summary>
    public static readonly string[] AllNames =
    [
        "safetensors", "PEFT adapter", "config.json", "model folder", "sharded checkpoint", "SentencePiece tokenizer", "WordPiece vocabulary",
        "ONNX model", "model zip", "model zip manifest",
    ];

    /// <summary>The target called <paramref name="name"/> (model zip targets save a small trained generator first).</summary>
    public static FuzzTarget Create(string name) => name switch
    {
        "model zip" => ModelZip(SmallGeneratorZip.Value.Zip, SmallGeneratorZip.Value.Context),
        "model zip manifest" => ModelManifest(SmallGeneratorZip.Value.Zip, SmallGeneratorZip.Value.Context),
        _ => All().SingleOrDefault(t => t.Name == name) ?? throw new ArgumentException($"No fuzz target '{name}'; targets: {string.Join(", ", AllNames)}.", nameof(name)),
    };

    /// <summary>
    /// The embedded all-MiniLM-L6-v2 ONNX file (exported by Hugging Face Optimum), cut down to a valid ModelProto of about
    /// 40 KB — its ir_version, producer, graph name, inputs and outputs, the first 60 nodes and the initializers under
    /// 2 KB — through <c>OnnxModelParser.Parse</c>.
    /// </summary>
    public static FuzzTarget OnnxModel() => new(
        "ONNX model",
        [new FuzzFile("model.onnx", SmallOnnx.Value, IsText: false)],
        files => OnnxModelParser.Parse(files[0]),
        FormatErrors);

    private static readonly Lazy<byte[]> SmallOnnx = new(() =>
    {
        using var stream = PretrainedEncoders.OpenMiniLmL6V2Onnx();
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        var model = buffer.ToArray();
        var trimmed = new MemoryStream();
        foreach (var (field, wire, value) in ProtobufFields(model))
        {
            if (field != 7)
            {
                WriteField(trimmed, field, wire, value);
                continue;
            }
            var graph = new MemoryStream();
            int nodes = 0;
            foreach (var (graphField, graphWire, graphValue) in ProtobufFields(value))
            {
                bool keep = graphField switch
                {
                    1 => nodes++ < 60,
                    5 => graphValue.Length < 2048,
                    _ => true,
                };
                if (keep)
                    WriteField(graph, graphField, graphWire, graphValue);
            }
            WriteField(trimmed, 7, 2, graph.ToArray());
        }
        return trimmed.ToArray();
    });

    /// <summary>The top-level fields of a protobuf message: number, wire type and raw value (varint bytes or payload).</summary>
    private static IEnumerable<(int Field, int Wire, byte[] Value)> ProtobufFields(byte[] message)
    {
        int position = 0;
        while (position < message.Length)
        {
            ulong tag = ReadVarint(message, ref position);
            int wire = (int)(tag & 7);
            int start = position;
            switch (wire)
            {
                case 0:
                    ReadVarint(message, ref position);
                    yield return ((int)(tag >> 3), wire, message[start..position]);
                    break;
                case 2:
                    int length = (int)ReadVarint(message, ref position);
                    yield return ((int)(tag >> 3), wire, message[position..(position + length)]);
                    position += length;
                    break;
                case 5:
                    position += 4;
                    yield return ((int)(tag >> 3), wire, message[start..position]);
                    break;
                case 1:
                    position += 8;
                    yield return ((int)(tag >> 3), wire, message[start..position]);
                    break;
                default:
                    throw new InvalidDataException($"Unexpected wire type {wire} in the seed ONNX file.");
            }
        }
    }

    private static ulong ReadVarint(byte[] data, ref int position)
    {
        ulong value = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = data[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
                return value;
        }
    }

    private static void WriteVarint(Stream stream, ulong value)
    {
        while (value >= 0x80)
        {
            stream.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        stream.WriteByte((byte)value);
    }

    private static void WriteField(Stream stream, int field, int wire, byte[] value)
    {
        WriteVarint(stream, ((ulong)field << 3) | (uint)wire);
        if (wire == 2)
            WriteVarint(stream, (ulong)value.Length);
        stream.Write(value);
    }

    /// <summary>A stories260K generator trained for a few steps and saved: a real model zip of about 1 MB.</summary>
    public static readonly Lazy<(MLContext Context, byte[] Zip)> SmallGeneratorZip = new(() =>
    {
        var context = new MLContext(seed: 1);
        var speeches = File.ReadAllText(Path.Combine(TestPaths.Data, "generation", "tinyshakespeare.txt"))
            .Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Take(8).Select(t => new SpeechRow { Text = t }).ToList();
        var data = context.Data.LoadFromEnumerable(speeches);
        using var model = context.Shira().Train(data, new TextGeneration.ShiraTextGenerationOptions
        {
            Epochs = 1,
            BatchSize = 4,
            MaxSequenceLength = 32,
            NumberOfThreads = 1,
            Seed = 3,
            Generation = new Decoding.GenerationOptions { MaxNewTokens = 4 },
        });
        using var stream = new MemoryStream();
        context.Shira().Model.Save(model, data.Schema, stream);
        return (context, stream.ToArray());
    });

    private sealed class SpeechRow
    {
        public string Text { get; set; } = "";
    }

    /// <summary>
    /// A safetensors file written by the safetensors library (the BERT reference's PEFT adapter, 46 KB: small enough that
    /// 10,000 copies stay off the large-object heap) through <c>SafetensorsFile.Parse</c>.
    /// </summary>
    public static FuzzTarget Safetensors() => new(
        "safetensors",
        [new FuzzFile("adapter_model.safetensors", File.ReadAllBytes(Path.Combine(TestPaths.Data, "arch-refs", "bert-no-pooler-targets", "adapter", "adapter_model.safetensors")), IsText: false)],
        files => SafetensorsFile.Parse(files[0], "fuzz/adapter_model.safetensors"),
        FormatErrors);

    /// <summary>A PEFT SHiRA adapter (both files) through <c>PeftShiraAdapterFile.FromBytes</c>, shapes from the base checkpoint.</summary>
    public static FuzzTarget PeftAdapter()
    {
        var baseFile = SafetensorsFile.Parse(File.ReadAllBytes(ArchRef("base", "model.safetensors")), "base");
        var shapes = baseFile.Entries.Values
            .Where(e => e.Name.EndsWith(".weight", StringComparison.Ordinal) && e.Shape.Length == 2)
            .ToDictionary(e => e.Name[..^".weight".Length], e => (e.Shape[0], e.Shape[1]));
        return new FuzzTarget(
            "PEFT adapter",
            [
                new FuzzFile("adapter_model.safetensors", File.ReadAllBytes(ArchRef("adapter", "adapter_model.safetensors")), IsText: false),
                new FuzzFile("adapter_config.json", File.ReadAllBytes(ArchRef("adapter", "adapter_config.json")), IsText: true),
            ],
            files => PeftShiraAdapterFile.FromBytes(files[0], files[1], "fuzz", shapeOf: path => shapes.TryGetValue(path, out var s) ? s : null),
            FormatErrors);
    }

    /// <summary>A transformers <c>config.json</c> (LLaMA and BERT) through the config readers of both architectures.</summary>
    public static FuzzTarget ConfigJson() => new(
        "config.json",
        [
            new FuzzFile("llama config.json", File.ReadAllBytes(ArchRef("base", "config.json")), IsText: true),
            new FuzzFile("bert config.json", File.ReadAllBytes(Path.Combine(TestPaths.Data, "arch-refs", "bert-no-pooler-targets", "base", "config.json")), IsText: true),
        ],
        files =>
        {
            LlamaConfig.FromHuggingFace(HuggingFaceConfig.Parse(Encoding.UTF8.GetString(files[0]), "fuzz/llama/config.json"));
            BertConfig.FromHuggingFace(HuggingFaceConfig.Parse(Encoding.UTF8.GetString(files[1]), "fuzz/bert/config.json"));
        },
        FormatErrors);

    /// <summary>
    /// A transformers model folder through <c>HuggingFaceLoader.Load</c>, its <c>config.json</c> mutated against the real
    /// weights (a config that disagrees with its checkpoint; the weights file's own mutations are the safetensors target's).
    /// </summary>
    public static FuzzTarget ModelFolder()
    {
        byte[] weights = File.ReadAllBytes(ArchRef("base", "model.safetensors"));
        return new FuzzTarget(
            "model folder",
            [new FuzzFile("config.json", File.ReadAllBytes(ArchRef("base", "config.json")), IsText: true)],
            files =>
            {
                var source = new MemoryModelFileSource(new Dictionary<string, byte[]> { ["config.json"] = files[0], ["model.safetensors"] = weights }, "fuzz");
                using var model = HuggingFaceLoader.Load(source);
            },
            FormatErrors,
            BytesPerInputByte: null);
    }

    /// <summary>A sharded checkpoint (two shards of the real weights) through <c>HuggingFaceLoader.Load</c>, its <c>model.safetensors.index.json</c> mutated.</summary>
    public static FuzzTarget ShardIndex()
    {
        var (index, first, second) = Shard(File.ReadAllBytes(ArchRef("base", "model.safetensors")));
        byte[] config = File.ReadAllBytes(ArchRef("base", "config.json"));
        return new FuzzTarget(
            "sharded checkpoint",
            [new FuzzFile("model.safetensors.index.json", index, IsText: true)],
            files =>
            {
                var source = new MemoryModelFileSource(new Dictionary<string, byte[]>
                {
                    ["config.json"] = config,
                    ["model.safetensors.index.json"] = files[0],
                    ["model-00001-of-00002.safetensors"] = first,
                    ["model-00002-of-00002.safetensors"] = second,
                }, "fuzz");
                using var model = HuggingFaceLoader.Load(source);
            },
            FormatErrors,
            BytesPerInputByte: null);
    }

    /// <summary>stories260K's SentencePiece <c>tokenizer.model</c> and <c>tokenizer_config.json</c> through <c>CausalLMTokenizers.Load</c>.</summary>
    public static FuzzTarget SentencePieceTokenizer() => new(
        "SentencePiece tokenizer",
        [
            new FuzzFile("tokenizer.model", Stories260KFile("tokenizer.model"), IsText: false),
            new FuzzFile("tokenizer_config.json", Stories260KFile("tokenizer_config.json"), IsText: true),
        ],
        files =>
        {
            var source = new MemoryModelFileSource(new Dictionary<string, byte[]> { ["tokenizer.model"] = files[0], ["tokenizer_config.json"] = files[1] }, "fuzz");
            var tokenizer = CausalLMTokenizers.Load(source);
            tokenizer.Decode(tokenizer.Encode("Once upon a time", addBos: true));
        },
        FormatErrors);

    /// <summary>A WordPiece <c>vocab.txt</c> (the first 800 entries of MiniLM's) through <c>BertTextTokenizer.FromVocab</c>.</summary>
    public static FuzzTarget WordPieceVocabulary()
    {
        using var vocab = PretrainedEncoders.OpenMiniLmL6V2Vocab();
        using var reader = new StreamReader(vocab);
        var lines = new List<string>();
        while (lines.Count < 800 && reader.ReadLine() is { } line)
            lines.Add(line);
        return new FuzzTarget(
            "WordPiece vocabulary",
            [new FuzzFile("vocab.txt", Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n"), IsText: true)],
            files =>
            {
                using var stream = new MemoryStream(files[0], writable: false);
                BertTextTokenizer.FromVocab(stream).Encode(["the quick brown fox"]);
            },
            FormatErrors);
    }

    /// <summary>
    /// A SHiRA model zip: raw bytes through <c>mlContext.Shira().Model.Load</c>. A file that loads brings in the built-in
    /// stories260K it refers to and ML.NET's schema loading, hence the fixed allowance of 16 MiB.
    /// </summary>
    public static FuzzTarget ModelZip(byte[] zip, MLContext context) => new(
        "model zip",
        [new FuzzFile("model.zip", zip, IsText: false)],
        files =>
        {
            using var stream = new MemoryStream(files[0], writable: false);
            (context.Shira().Model.Load(stream, out _) as IDisposable)?.Dispose();
        },
        [typeof(ShiraFormatException), typeof(InvalidOperationException)],
        BytesPerInputByte: 64,
        FixedAllowance: 16 << 20);

    /// <summary>The manifest of a SHiRA model zip, mutated as text and zipped again with the other entries.</summary>
    public static FuzzTarget ModelManifest(byte[] zip, MLContext context)
    {
        var entries = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using (var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read))
        {
            foreach (var entry in archive.Entries)
            {
                using var data = entry.Open();
                using var copy = new MemoryStream();
                data.CopyTo(copy);
                entries[entry.FullName] = copy.ToArray();
            }
        }
        const string manifest = "Shira/manifest.json";
        return new FuzzTarget(
            "model zip manifest",
            [new FuzzFile("manifest.json", entries[manifest], IsText: true)],
            files =>
            {
                using var rezipped = new MemoryStream();
                using (var archive = new ZipArchive(rezipped, ZipArchiveMode.Create, leaveOpen: true))
                {
                    foreach (var (name, data) in entries)
                    {
                        using var stream = archive.CreateEntry(name, CompressionLevel.Fastest).Open();
                        stream.Write(name == manifest ? files[0] : data);
                    }
                }
                rezipped.Position = 0;
                (context.Shira().Model.Load(rezipped, out _) as IDisposable)?.Dispose();
            },
            [typeof(ShiraFormatException), typeof(InvalidOperationException)],
            BytesPerInputByte: null);
    }

    /// <summary>Splits a checkpoint into two shards and the index transformers writes for them.</summary>
    private static (byte[] Index, byte[] First, byte[] Second) Shard(byte[] checkpoint)
    {
        var file = SafetensorsFile.Parse(checkpoint, "seed");
        var names = file.Entries.Keys.Order(StringComparer.Ordinal).ToList();
        var firstNames = names.Take(names.Count / 2).ToList();
        byte[] Write(IEnumerable<string> tensors)
        {
            var list = tensors.Select(n => new KeyValuePair<string, Tensor>(n, file.GetTensor(n))).ToList();
            try
            {
                return SafetensorsWriter.ToBytes(list, new Dictionary<string, string> { ["format"] = "pt" });
            }
            finally
            {
                list.ForEach(t => t.Value.Dispose());
            }
        }
        var weightMap = new JsonObject();
        foreach (string name in names)
            weightMap[name] = firstNames.Contains(name) ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors";
        var index = new JsonObject
        {
            ["metadata"] = new JsonObject { ["total_size"] = file.Entries.Values.Sum(e => e.End - e.Begin) },
            ["weight_map"] = weightMap,
        };
        return (Encoding.UTF8.GetBytes(index.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true })),
            Write(firstNames), Write(names.Except(firstNames)));
    }
}
