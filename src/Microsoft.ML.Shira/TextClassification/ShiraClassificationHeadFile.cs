using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.ML.Shira.IO;
using Microsoft.ML.Shira.IO.Safetensors;

namespace Microsoft.ML.Shira.TextClassification;

/// <summary>
/// Reads and writes a <see cref="ShiraClassificationHead"/> as a safetensors file (<c>classifier_head.safetensors</c>):
/// <c>classifier.weight</c> (F32 <c>[classes, hidden]</c>) and <c>classifier.bias</c> (F32 <c>[classes]</c>), the names of
/// Hugging Face's <c>BertForSequenceClassification</c> head, with <c>__metadata__</c> <c>shira.head.binary</c>
/// (<c>true</c>/<c>false</c>) and, when the head has class names, <c>shira.head.class_names</c> (a JSON array in key order).
/// Values round-trip bit for bit.
/// </summary>
public static class ShiraClassificationHeadFile
{
    /// <summary>Conventional file name of a head next to a PEFT adapter folder's files.</summary>
    public const string FileName = "classifier_head.safetensors";

    /// <summary>Name of the weight tensor.</summary>
    public const string WeightTensorName = "classifier.weight";

    /// <summary>Name of the bias tensor.</summary>
    public const string BiasTensorName = "classifier.bias";

    private const string BinaryKey = "shira.head.binary";
    private const string ClassNamesKey = "shira.head.class_names";

    /// <summary>The safetensors bytes of <paramref name="head"/>.</summary>
    public static byte[] ToBytes(ShiraClassificationHead head)
    {
        ArgumentNullException.ThrowIfNull(head);
        using var weight = tensor(head.WeightArray, [head.ClassCount, head.HiddenSize]);
        using var bias = tensor(head.BiasArray, [head.ClassCount]);
        var metadata = new Dictionary<string, string>
        {
            ["format"] = "pt",
            [BinaryKey] = head.IsBinary ? "true" : "false",
            ["shira.library_version"] = ShiraInfo.Version,
        };
        if (head.ClassNames is not null)
            metadata[ClassNamesKey] = JsonSerializer.Serialize(head.ClassNames);
        return SafetensorsWriter.ToBytes([new(WeightTensorName, weight), new(BiasTensorName, bias)], metadata);
    }

    /// <summary>Writes <paramref name="head"/> to <paramref name="path"/> atomically.</summary>
    public static void Save(ShiraClassificationHead head, string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        AtomicFile.WriteAllBytes(path, ToBytes(head));
    }

    /// <summary>Reads a head file.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="ShiraFormatException">The file is corrupt or not a head; the message names file and tensor.</exception>
    public static ShiraClassificationHead Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"Classifier head file '{path}' does not exist.", path);
        return FromBytes(File.ReadAllBytes(path), path);
    }

    /// <summary>Reads a head from safetensors bytes; <paramref name="source"/> names them in errors.</summary>
    /// <exception cref="ShiraFormatException">The bytes are corrupt or not a head.</exception>
    public static ShiraClassificationHead FromBytes(byte[] bytes, string source)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        ArgumentNullException.ThrowIfNull(source);
        var file = SafetensorsFile.Parse(bytes, source);
        var weightEntry = RequireF32(file, WeightTensorName, 2);
        var biasEntry = RequireF32(file, BiasTensorName, 1);
        if (weightEntry.Shape[0] != biasEntry.Shape[0])
            throw new ShiraFormatException($"Classifier head file '{source}': '{WeightTensorName}' has {weightEntry.Shape[0]} rows but '{BiasTensorName}' has {biasEntry.Shape[0]} entries.");
        float[] weight = MemoryMarshal.Cast<byte, float>(file.ReadBytes(WeightTensorName)).ToArray();
        float[] bias = MemoryMarshal.Cast<byte, float>(file.ReadBytes(BiasTensorName)).ToArray();
        bool isBinary = file.Metadata.GetValueOrDefault(BinaryKey) switch
        {
            null or "false" => false,
            "true" => true,
            var other => throw new ShiraFormatException($"Classifier head file '{source}': metadata '{BinaryKey}' is '{other}'; expected 'true' or 'false'."),
        };
        string[]? names = null;
        if (file.Metadata.TryGetValue(ClassNamesKey, out var json))
        {
            try
            {
                names = JsonSerializer.Deserialize<string[]>(json);
            }
            catch (JsonException ex)
            {
                throw new ShiraFormatException($"Classifier head file '{source}': metadata '{ClassNamesKey}' is not a JSON array of strings: {ex.Message}", ex);
            }
        }
        try
        {
            return new ShiraClassificationHead(weight, bias, names, isBinary);
        }
        catch (ArgumentException ex)
        {
            throw new ShiraFormatException($"Classifier head file '{source}' is inconsistent: {ex.Message}", ex);
        }
    }

    private static SafetensorsEntry RequireF32(SafetensorsFile file, string name, int rank)
    {
        var entry = file.GetEntry(name);
        if (entry.DType != "F32" || entry.Shape.Length != rank)
            throw new ShiraFormatException(
                $"Classifier head file '{file.Source}': tensor '{name}' is {entry.DType} [{string.Join(", ", entry.Shape.Select(d => d.ToString(CultureInfo.InvariantCulture)))}]; expected F32 with {rank} dimension(s).");
        return entry;
    }
}
