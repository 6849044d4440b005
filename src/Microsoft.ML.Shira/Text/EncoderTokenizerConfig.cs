using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML.Shira.IO;
using Microsoft.ML.Shira.IO.Folders;

namespace Microsoft.ML.Shira.Text;

/// <summary>
/// The settings an encoder's tokenizer reads from <c>tokenizer_config.json</c>: <c>model_max_length</c> (capped at what
/// the model's positions allow), <c>do_lower_case</c> (WordPiece) and <c>add_prefix_space</c> (byte-level BPE).
/// </summary>
/// <param name="MaxLength">Longest sequence, special tokens included.</param>
/// <param name="LowerCase"><c>do_lower_case</c>; true when absent (uncased BERT models).</param>
/// <param name="AddPrefixSpace"><c>add_prefix_space</c>; null when absent.</param>
internal sealed record EncoderTokenizerConfig(int MaxLength, bool LowerCase, bool? AddPrefixSpace)
{
    /// <summary>File name of the tokenizer settings in a model folder.</summary>
    public const string FileName = "tokenizer_config.json";

    /// <summary>
    /// Reads <c>tokenizer_config.json</c> when <paramref name="source"/> has it; the longest sequence is
    /// <c>model_max_length</c> when given and below <paramref name="maxPositions"/>, else <paramref name="maxPositions"/>.
    /// </summary>
    /// <exception cref="ShiraFormatException">The file is not a JSON object; the message names it.</exception>
    public static EncoderTokenizerConfig Read(IModelFileSource source, int maxPositions)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!source.Exists(FileName))
            return new EncoderTokenizerConfig(maxPositions, LowerCase: true, AddPrefixSpace: null);
        string path = source.Describe(FileName);
        using var json = JsonText.ParseDocument(source.ReadAllBytes(FileName), $"Tokenizer config '{path}'");
        var root = json.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
            throw new ShiraFormatException($"Tokenizer config '{path}' is not a JSON object.");
        bool lower = !root.TryGetProperty("do_lower_case", out var l) || l.ValueKind != JsonValueKind.False;
        bool? prefix = root.TryGetProperty("add_prefix_space", out var p) && p.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? p.ValueKind == JsonValueKind.True : null;
        long v = 0;
        bool given = root.TryGetProperty("model_max_length", out var m) && m.ValueKind == JsonValueKind.Number && m.TryGetInt64(out v);
        int max = given && v > 0 && v < maxPositions ? (int)v : maxPositions;
        return new EncoderTokenizerConfig(max, lower, prefix);
    }

    /// <summary>A <c>tokenizer_config.json</c> naming <paramref name="tokenizerClass"/>, with <paramref name="maxLength"/> and <paramref name="settings"/>.</summary>
    public static byte[] ToJson(string tokenizerClass, int maxLength, JsonObject settings)
    {
        var json = new JsonObject { ["tokenizer_class"] = tokenizerClass, ["model_max_length"] = maxLength };
        foreach (var (key, value) in settings)
            json[key] = value?.DeepClone();
        return JsonSerializer.SerializeToUtf8Bytes(json, new JsonSerializerOptions { WriteIndented = true });
    }
}
