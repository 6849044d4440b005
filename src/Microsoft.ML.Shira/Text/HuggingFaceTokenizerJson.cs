using System.Text.Json;
using Microsoft.ML.Shira.IO;

namespace Microsoft.ML.Shira.Text;

/// <summary>
/// Reads the byte-level BPE tokenizers of Hugging Face's <c>tokenizer.json</c> (the <c>tokenizers</c> library format):
/// <c>model</c> of type <c>BPE</c> (no byte fallback; <c>ignore_merges</c> honoured), <c>normalizer</c> none or a
/// Unicode normal form (Qwen2: <c>NFC</c>), <c>pre_tokenizer</c> <c>ByteLevel</c> (GPT-2's split regex) or a
/// <c>Sequence</c> of <c>Split</c> regexes (<c>Isolated</c>) ending in <c>ByteLevel</c> (Qwen2, Llama-3),
/// <c>post_processor</c> none, <c>ByteLevel</c>, <c>TemplateProcessing</c>, <c>RobertaProcessing</c> or
/// <c>BertProcessing</c> (or a <c>Sequence</c> of them), <c>ByteLevel</c> (or no) decoder, and <c>added_tokens</c>
/// with their <c>lstrip</c> / <c>rstrip</c> / <c>single_word</c> / <c>normalized</c> flags. Other pipelines are
/// rejected with an error naming the file and the key rather than encoded differently from Hugging Face.
/// </summary>
internal static partial class HuggingFaceTokenizerJson
{
    /// <summary>Parses <paramref name="json"/>; <paramref name="source"/> names it in errors.</summary>
    public static ByteLevelBpeDefinition Read(byte[] json, string source)
    {
        using (var document = JsonText.ParseDocument(json, $"Tokenizer file '{source}'"))
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw Invalid(source, "the root", "must be a JSON object");
            if (!root.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.Object)
                throw Invalid(source, "model", "is missing or not an object");
            string? type = String(model, "type", source, "model.type");
            if (type is not null and not "BPE")
                throw Invalid(source, "model.type", $"is '{type}'; only byte-level BPE tokenizers (GPT-2 style) are supported here");
            bool ignoreMerges = CheckModelOptions(model, source);
            var normalization = ReadNormalizer(root, source);
            var (splits, addPrefixSpace) = ReadPreTokenizer(root, source);
            CheckDecoder(root, source);
            var template = ReadPostProcessor(root, source);

            var added = ReadAddedTokens(root, source);
            if (!model.TryGetProperty("vocab", out var vocabElement))
                throw Invalid(source, "model.vocab", "is missing");
            var vocabulary = ByteLevelBpeFiles.ReadVocabulary(vocabElement, $"Tokenizer file '{source}', 'model.vocab',");
            var merges = ReadMerges(model, source);
            return new ByteLevelBpeDefinition($"'{source}'", vocabulary, merges, added, addPrefixSpace,
                i => $"Tokenizer file '{source}', 'model.merges[{i}]':")
            {
                Normalization = normalization,
                Splits = splits,
                IgnoreMerges = ignoreMerges,
                Template = template,
            };
        }
    }

    /// <summary>Refuses BPE options that change the encoding; returns <c>ignore_merges</c>.</summary>
    private static bool CheckModelOptions(JsonElement model, string source)
    {
        foreach (string key in new[] { "continuing_subword_prefix", "end_of_word_suffix" })
        {
            if (String(model, key, source, "model." + key) is { Length: > 0 } value)
                throw Invalid(source, "model." + key, $"is '{value}'; byte-level BPE uses none");
        }
        if (model.TryGetProperty("dropout", out var dropout) && dropout.ValueKind != JsonValueKind.Null
            && !(dropout.ValueKind == JsonValueKind.Number && dropout.GetDouble() == 0))
            throw Invalid(source, "model.dropout", $"is {dropout.GetRawText()}; BPE dropout is not supported");
        if (model.TryGetProperty("byte_fallback", out var fallback) && fallback.ValueKind == JsonValueKind.True)
            throw Invalid(source, "model.byte_fallback", "is true (a SentencePiece-style BPE, as in Mistral, Phi-3 and Gemma), which is not supported here; " +
                "such model folders are read from their 'tokenizer.model' instead");
        return model.TryGetProperty("ignore_merges", out var ignore) && ignore.ValueKind == JsonValueKind.True;
    }

    /// <summary>Merges as <c>"left right"</c> strings (older files) or <c>["left", "right"]</c> pairs (newer files).</summary>
    private static List<(string Left, string Right)> ReadMerges(JsonElement model, string source)
    {
        if (!model.TryGetProperty("merges", out var merges) || merges.ValueKind != JsonValueKind.Array)
            throw Invalid(source, "model.merges", "is missing or not an array");
        var result = new List<(string, string)>(merges.GetArrayLength());
        int i = 0;
        foreach (var merge in merges.EnumerateArray())
        {
            string[]? parts = merge.ValueKind switch
            {
                JsonValueKind.String => merge.GetString()!.Split(' '),
                JsonValueKind.Array when merge.GetArrayLength() == 2 && merge.EnumerateArray().All(p => p.ValueKind == JsonValueKind.String) =>
                    merge.EnumerateArray().Select(p => p.GetString()!).ToArray(),
                _ => null,
            };
            if (parts is not { Length: 2 } || parts[0].Length == 0 || parts[1].Length == 0)
                throw Invalid(source, $"model.merges[{i}]", $"must be \"left right\" or [\"left\", \"right\"], got {Describe(merge)}");
            result.Add((parts[0], parts[1]));
            i++;
        }
        return result;
    }

    /// <summary>The <c>added_tokens</c> array with its flags.</summary>
    internal static List<AddedToken> ReadAddedTokens(JsonElement root, string source)
    {
        var result = new List<AddedToken>();
        if (!root.TryGetProperty("added_tokens", out var added) || added.ValueKind == JsonValueKind.Null)
            return result;
        if (added.ValueKind != JsonValueKind.Array)
            throw Invalid(source, "added_tokens", "must be an array");
        int i = 0;
        foreach (var token in added.EnumerateArray())
        {
            if (token.ValueKind != JsonValueKind.Object
                || !token.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.Number || !id.TryGetInt32(out int value) || value < 0
                || !token.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.String || content.GetString()!.Length == 0)
                throw Invalid(source, $"added_tokens[{i}]", $"must have a non-negative integer 'id' and a non-empty 'content', got {Describe(token)}");
            bool special = Flag(token, "special", source, $"added_tokens[{i}].special") ?? false;
            result.Add(new AddedToken(content.GetString()!, value, special)
            {
                LStrip = Flag(token, "lstrip", source, $"added_tokens[{i}].lstrip") ?? false,
                RStrip = Flag(token, "rstrip", source, $"added_tokens[{i}].rstrip") ?? false,
                SingleWord = Flag(token, "single_word", source, $"added_tokens[{i}].single_word") ?? false,
                // The tokenizers library's default: special tokens are matched in the raw text, the others after normalization.
                Normalized = Flag(token, "normalized", source, $"added_tokens[{i}].normalized") ?? !special,
            });
            i++;
        }
        return result;
    }

    private static string? String(JsonElement obj, string key, string source, string path) =>
        !obj.TryGetProperty(key, out var value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind == JsonValueKind.String ? value.GetString()
        : throw Invalid(source, path, $"must be a string, got {Describe(value)}");

    private static bool? Flag(JsonElement obj, string key, string source, string path) =>
        !obj.TryGetProperty(key, out var value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind == JsonValueKind.True ? true
        : value.ValueKind == JsonValueKind.False ? false
        : throw Invalid(source, path, $"must be true or false, got {Describe(value)}");

    private static string? TypeOf(JsonElement step) =>
        step.ValueKind == JsonValueKind.Object && step.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String ? type.GetString() : null;

    private static string Describe(JsonElement element)
    {
        string text = element.ValueKind == JsonValueKind.Object && TypeOf(element) is { } type ? $"of type '{type}'" : element.GetRawText();
        return text.Length <= 80 ? text : text[..80] + "…";
    }

    private static ShiraFormatException Invalid(string source, string key, string problem) =>
        new($"Tokenizer file '{source}': '{key}' {problem}.");
}
