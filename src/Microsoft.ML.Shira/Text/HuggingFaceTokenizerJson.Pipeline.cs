using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Microsoft.ML.Shira.Text;

internal static partial class HuggingFaceTokenizerJson
{
    /// <summary><c>normalizer</c>: none, a Unicode normal form, or a <c>Sequence</c> holding at most one of them.</summary>
    private static NormalizationForm? ReadNormalizer(JsonElement root, string source)
    {
        if (!root.TryGetProperty("normalizer", out var normalizer) || normalizer.ValueKind == JsonValueKind.Null)
            return null;
        if (TypeOf(normalizer) == "Sequence")
        {
            if (!normalizer.TryGetProperty("normalizers", out var steps) || steps.ValueKind != JsonValueKind.Array)
                throw Invalid(source, "normalizer.normalizers", "is missing or not an array");
            NormalizationForm? form = null;
            int i = 0;
            foreach (var step in steps.EnumerateArray())
            {
                if (form is not null)
                    throw Invalid(source, $"normalizer.normalizers[{i}]", $"is {Describe(step)}; only a single Unicode normal form is supported");
                form = NormalForm(step, source, $"normalizer.normalizers[{i}]");
                i++;
            }
            return form;
        }
        return NormalForm(normalizer, source, "normalizer");
    }

    private static NormalizationForm NormalForm(JsonElement step, string source, string key) => TypeOf(step) switch
    {
        "NFC" => NormalizationForm.FormC,
        "NFD" => NormalizationForm.FormD,
        "NFKC" => NormalizationForm.FormKC,
        "NFKD" => NormalizationForm.FormKD,
        _ => throw Invalid(source, key, $"is {Describe(step)}; byte-level BPE tokenizers support no normalizer or NFC, NFD, NFKC, NFKD only"),
    };

    /// <summary>
    /// <c>pre_tokenizer</c>: <c>ByteLevel</c> alone (GPT-2's regex when <c>use_regex</c>), or a <c>Sequence</c> of
    /// <c>Split</c> steps ending in <c>ByteLevel</c> (Qwen2, Llama-3). Returns the split patterns (null: GPT-2's only)
    /// and <c>add_prefix_space</c>.
    /// </summary>
    private static (IReadOnlyList<Regex>? Splits, bool AddPrefixSpace) ReadPreTokenizer(JsonElement root, string source)
    {
        if (!root.TryGetProperty("pre_tokenizer", out var pre) || pre.ValueKind != JsonValueKind.Object)
            throw Invalid(source, "pre_tokenizer", $"is {(pre.ValueKind == JsonValueKind.Undefined ? "missing" : Describe(pre))}; a byte-level BPE needs the ByteLevel pre-tokenizer");
        if (TypeOf(pre) == "ByteLevel")
        {
            var (useRegex, prefix) = ReadByteLevel(pre, source, "pre_tokenizer");
            return (useRegex ? null : [], prefix);
        }
        if (TypeOf(pre) != "Sequence")
            throw Invalid(source, "pre_tokenizer", $"is {Describe(pre)}; only ByteLevel, or a Sequence of Split steps ending in ByteLevel, is supported");
        if (!pre.TryGetProperty("pretokenizers", out var steps) || steps.ValueKind != JsonValueKind.Array || steps.GetArrayLength() == 0)
            throw Invalid(source, "pre_tokenizer.pretokenizers", "is missing, empty or not an array");
        var splits = new List<Regex>();
        int count = steps.GetArrayLength(), i = 0;
        bool addPrefixSpace = false;
        foreach (var step in steps.EnumerateArray())
        {
            string key = $"pre_tokenizer.pretokenizers[{i}]";
            if (i < count - 1)
            {
                if (TypeOf(step) != "Split")
                    throw Invalid(source, key, $"is {Describe(step)}; only Split steps may come before the final ByteLevel");
                splits.Add(ReadSplit(step, source, key));
            }
            else
            {
                if (TypeOf(step) != "ByteLevel")
                    throw Invalid(source, key, $"is {Describe(step)}; the last step must be ByteLevel");
                var (useRegex, prefix) = ReadByteLevel(step, source, key);
                if (prefix && splits.Count > 0)
                    throw Invalid(source, key + ".add_prefix_space", "is true after a Split step (a space before every piece), which is not supported");
                if (useRegex)
                    splits.Add(ByteLevelBpeEncoder.Gpt2Split());
                addPrefixSpace = prefix;
            }
            i++;
        }
        return (splits, addPrefixSpace);
    }

    private static (bool UseRegex, bool AddPrefixSpace) ReadByteLevel(JsonElement step, string source, string key) =>
        (Flag(step, "use_regex", source, key + ".use_regex") ?? true, Flag(step, "add_prefix_space", source, key + ".add_prefix_space") ?? false);

    /// <summary>A <c>Split</c> step: a <c>Regex</c> or <c>String</c> pattern, <c>Isolated</c>, not inverted.</summary>
    private static Regex ReadSplit(JsonElement step, string source, string key)
    {
        string? behavior = String(step, "behavior", source, key + ".behavior");
        if (behavior != "Isolated")
            throw Invalid(source, key + ".behavior", $"is '{behavior}'; only 'Isolated' is supported");
        if (Flag(step, "invert", source, key + ".invert") == true)
            throw Invalid(source, key + ".invert", "is true, which is not supported");
        if (!step.TryGetProperty("pattern", out var pattern) || pattern.ValueKind != JsonValueKind.Object)
            throw Invalid(source, key + ".pattern", "is missing or not an object");
        string? regex = String(pattern, "Regex", source, key + ".pattern.Regex");
        string? literal = String(pattern, "String", source, key + ".pattern.String");
        if ((regex is null) == (literal is null) || (regex ?? literal)!.Length == 0)
            throw Invalid(source, key + ".pattern", "must hold one non-empty 'Regex' or 'String'");
        try
        {
            return new Regex(regex ?? Regex.Escape(literal!), RegexOptions.CultureInvariant | RegexOptions.Compiled);
        }
        catch (ArgumentException ex)
        {
            throw Invalid(source, key + ".pattern.Regex", $"is not a regular expression .NET can compile: {ex.Message}");
        }
    }

    /// <summary><c>decoder</c>: none or <c>ByteLevel</c> (the only decoding byte-level BPE ids need).</summary>
    private static void CheckDecoder(JsonElement root, string source)
    {
        if (root.TryGetProperty("decoder", out var decoder) && decoder.ValueKind != JsonValueKind.Null && TypeOf(decoder) != "ByteLevel")
            throw Invalid(source, "decoder", $"is {Describe(decoder)}; only ByteLevel (or none) is supported");
    }
}
