using System.Text.Json;
using Microsoft.ML.Shira.IO;

namespace Microsoft.ML.Shira.Text;

internal sealed partial record ByteLevelBpeTokenizerOptions
{
    /// <summary>
    /// Reads <c>bos_token</c>, <c>eos_token</c>, <c>unk_token</c>, <c>pad_token</c> (strings or <c>{"content": …}</c>
    /// objects), <c>add_bos_token</c> and <c>add_prefix_space</c> from a Hugging Face <c>tokenizer_config.json</c>;
    /// other keys are ignored.
    /// </summary>
    /// <exception cref="ShiraFormatException">Not a JSON object, or a value of the wrong type; the message names <paramref name="source"/>.</exception>
    public static ByteLevelBpeTokenizerOptions FromTokenizerConfigJson(string json, string source = "tokenizer_config.json")
    {
        ArgumentNullException.ThrowIfNull(json);
        using (var document = JsonText.ParseDocument(json, $"Tokenizer config '{source}'"))
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new ShiraFormatException($"Tokenizer config '{source}' is not a JSON object.");
            return new ByteLevelBpeTokenizerOptions
            {
                BosToken = Token(root, "bos_token", source),
                EosToken = Token(root, "eos_token", source),
                UnkToken = Token(root, "unk_token", source),
                PadToken = Token(root, "pad_token", source),
                AddBosToken = Flag(root, "add_bos_token", source) ?? false,
                AddPrefixSpace = Flag(root, "add_prefix_space", source),
            };
        }
    }

    private static string? Token(JsonElement root, string key, string source)
    {
        if (!root.TryGetProperty(key, out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        if (value.ValueKind == JsonValueKind.String)
            return value.GetString();
        if (value.ValueKind == JsonValueKind.Object && value.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String)
            return content.GetString();
        throw new ShiraFormatException($"Tokenizer config '{source}': '{key}' must be a string or an object with a 'content' string, got {value.GetRawText()}.");
    }

    private static bool? Flag(JsonElement root, string key, string source)
    {
        if (!root.TryGetProperty(key, out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new ShiraFormatException($"Tokenizer config '{source}': '{key}' must be true or false, got {value.GetRawText()}."),
        };
    }
}
