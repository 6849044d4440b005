using System.Text.Json;

namespace Microsoft.ML.Shira.Text;

internal static partial class HuggingFaceTokenizerJson
{
    /// <summary>
    /// <c>post_processor</c>: none or <c>ByteLevel</c> (no ids added), <c>TemplateProcessing</c> (Llama-3),
    /// <c>RobertaProcessing</c>, <c>BertProcessing</c>, or a <c>Sequence</c> with at most one of the last three.
    /// </summary>
    private static SpecialTokenTemplate? ReadPostProcessor(JsonElement root, string source)
    {
        if (!root.TryGetProperty("post_processor", out var post) || post.ValueKind == JsonValueKind.Null)
            return null;
        if (TypeOf(post) != "Sequence")
            return ReadProcessor(post, source, "post_processor");
        if (!post.TryGetProperty("processors", out var steps) || steps.ValueKind != JsonValueKind.Array)
            throw Invalid(source, "post_processor.processors", "is missing or not an array");
        SpecialTokenTemplate? template = null;
        int i = 0;
        foreach (var step in steps.EnumerateArray())
        {
            string key = $"post_processor.processors[{i++}]";
            if (ReadProcessor(step, source, key) is { } found)
            {
                if (template is not null)
                    throw Invalid(source, key, "is a second processor adding special tokens, which is not supported");
                template = found;
            }
        }
        return template;
    }

    private static SpecialTokenTemplate? ReadProcessor(JsonElement step, string source, string key)
    {
        switch (TypeOf(step))
        {
            case "ByteLevel":
                return null;
            case "RobertaProcessing":
                return SpecialTokenTemplate.Roberta(TokenPair(step, "cls", source, key), TokenPair(step, "sep", source, key));
            case "BertProcessing":
                return SpecialTokenTemplate.Bert(TokenPair(step, "cls", source, key), TokenPair(step, "sep", source, key));
            case "TemplateProcessing":
                return ReadTemplate(step, source, key);
            default:
                throw Invalid(source, key, $"is {Describe(step)}; only ByteLevel, TemplateProcessing, RobertaProcessing, BertProcessing (or none) are supported");
        }
    }

    /// <summary>The id of a <c>["&lt;s&gt;", 0]</c> pair of Roberta/BertProcessing.</summary>
    private static int TokenPair(JsonElement step, string name, string source, string key)
    {
        if (step.TryGetProperty(name, out var pair) && pair.ValueKind == JsonValueKind.Array && pair.GetArrayLength() == 2
            && pair[0].ValueKind == JsonValueKind.String && pair[1].ValueKind == JsonValueKind.Number && pair[1].TryGetInt32(out int id) && id >= 0)
            return id;
        throw Invalid(source, $"{key}.{name}", "must be a [\"token\", id] pair");
    }

    /// <summary>
    /// <c>TemplateProcessing</c>: <c>single</c> holds sequence <c>A</c> once, <c>pair</c> holds <c>A</c> then <c>B</c>;
    /// the other items are <c>SpecialToken</c>s whose ids come from <c>special_tokens</c>.
    /// </summary>
    private static SpecialTokenTemplate ReadTemplate(JsonElement step, string source, string key)
    {
        var ids = new Dictionary<string, int[]>(StringComparer.Ordinal);
        if (step.TryGetProperty("special_tokens", out var specials) && specials.ValueKind != JsonValueKind.Null)
        {
            if (specials.ValueKind != JsonValueKind.Object)
                throw Invalid(source, key + ".special_tokens", "must be an object");
            foreach (var special in specials.EnumerateObject())
            {
                if (!special.Value.TryGetProperty("ids", out var list) || list.ValueKind != JsonValueKind.Array
                    || list.EnumerateArray().Any(v => v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out int id) || id < 0))
                    throw Invalid(source, $"{key}.special_tokens.{special.Name}.ids", "must be an array of non-negative integer ids");
                ids[special.Name] = list.EnumerateArray().Select(v => v.GetInt32()).ToArray();
            }
        }
        var single = ReadTemplatePart(step, "single", ["A"], ids, source, key);
        var pair = step.TryGetProperty("pair", out var p) && p.ValueKind != JsonValueKind.Null
            ? ReadTemplatePart(step, "pair", ["A", "B"], ids, source, key)
            : [single[0], [.. single[1], .. single[0]], single[1]];
        return new SpecialTokenTemplate(single[0], single[1], pair[0], pair[1], pair[2]);
    }

    /// <summary>The special-token ids before, between and after the sequences <paramref name="sequences"/> (in that order).</summary>
    private static List<int[]> ReadTemplatePart(JsonElement step, string name, string[] sequences, Dictionary<string, int[]> ids, string source, string key)
    {
        string path = $"{key}.{name}";
        if (!step.TryGetProperty(name, out var items) || items.ValueKind != JsonValueKind.Array)
            throw Invalid(source, path, "is missing or not an array");
        var parts = new List<int[]>();
        var current = new List<int>();
        int seen = 0, i = 0;
        foreach (var item in items.EnumerateArray())
        {
            string itemKey = $"{path}[{i++}]";
            if (item.ValueKind == JsonValueKind.Object && item.TryGetProperty("Sequence", out var sequence))
            {
                string? id = sequence.ValueKind == JsonValueKind.Object ? String(sequence, "id", source, itemKey + ".Sequence.id") : null;
                if (seen >= sequences.Length || id != sequences[seen])
                    throw Invalid(source, itemKey, $"is sequence '{id}'; expected {string.Join(" then ", sequences)}, each once");
                parts.Add(current.ToArray());
                current.Clear();
                seen++;
            }
            else if (item.ValueKind == JsonValueKind.Object && item.TryGetProperty("SpecialToken", out var special))
            {
                string? id = special.ValueKind == JsonValueKind.Object ? String(special, "id", source, itemKey + ".SpecialToken.id") : null;
                if (id is null || !ids.TryGetValue(id, out var tokenIds))
                    throw Invalid(source, itemKey, $"names special token '{id}', which '{key}.special_tokens' does not define");
                current.AddRange(tokenIds);
            }
            else
            {
                throw Invalid(source, itemKey, $"must be a 'Sequence' or a 'SpecialToken', got {Describe(item)}");
            }
        }
        if (seen != sequences.Length)
            throw Invalid(source, path, $"must hold the sequence{(sequences.Length > 1 ? "s" : "")} {string.Join(" and ", sequences)}");
        parts.Add(current.ToArray());
        return parts;
    }
}
