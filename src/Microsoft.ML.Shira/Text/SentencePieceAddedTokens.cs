using System.Text.Json;
using Microsoft.ML.Shira.Checkpoints.HuggingFace;
using Microsoft.ML.Shira.IO;
using Microsoft.ML.Shira.IO.Folders;

namespace Microsoft.ML.Shira.Text;

/// <summary>
/// The added tokens that go with a <c>tokenizer.model</c> (Phi-3's <c>&lt;|user|&gt;</c>, <c>&lt;|end|&gt;</c>, …):
/// read from <c>tokenizer.json</c>'s <c>added_tokens</c> when present, else from <c>added_tokens.json</c>
/// (content → id). Also says whether the <c>tokenizer.json</c> prefixes every stretch of text between added tokens
/// with SentencePiece's <c>▁</c> (a <c>Prepend</c> normalizer, or <c>Metaspace</c> with <c>prepend_scheme</c>
/// <c>always</c>: Hugging Face's "legacy" Llama / Mistral behaviour) or only the start of the text.
/// </summary>
internal static class SentencePieceAddedTokens
{
    /// <summary>File name of the slow tokenizers' added tokens.</summary>
    public const string AddedTokensFileName = "added_tokens.json";

    /// <summary>The added tokens of <paramref name="source"/> (possibly none) and whether every segment gets the <c>▁</c> prefix.</summary>
    /// <exception cref="ShiraFormatException">A malformed file; the message names it and the key.</exception>
    public static (List<AddedToken> Tokens, bool PrefixEverySegment) Read(IModelFileSource source)
    {
        const string json = ByteLevelBpeCausalLMTokenizer.TokenizerJsonFileName;
        if (source.Exists(json))
        {
            string name = source.Describe(json);
            using var document = JsonText.ParseDocument(source.ReadAllBytes(json), $"Tokenizer file '{name}'");
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new ShiraFormatException($"Tokenizer file '{name}': 'the root' must be a JSON object.");
            return (HuggingFaceTokenizerJson.ReadAddedTokens(root, name), PrefixesEverySegment(root));
        }
        if (source.Exists(AddedTokensFileName))
        {
            string name = source.Describe(AddedTokensFileName);
            var vocabulary = ByteLevelBpeFiles.ReadVocabulary(source.ReadAllBytes(AddedTokensFileName), name);
            return (vocabulary.Select(p => new AddedToken(p.Key, p.Value, Special: true)).ToList(), false);
        }
        return ([], false);
    }

    private static bool PrefixesEverySegment(JsonElement root)
    {
        static IEnumerable<JsonElement> Steps(JsonElement element, string listKey) =>
            element.ValueKind != JsonValueKind.Object ? []
            : element.TryGetProperty(listKey, out var list) && list.ValueKind == JsonValueKind.Array ? list.EnumerateArray()
            : [element];
        static string? Get(JsonElement e, string key) =>
            e.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

        if (root.TryGetProperty("normalizer", out var normalizer) && Steps(normalizer, "normalizers").Any(s => Get(s, "type") == "Prepend"))
            return true;
        if (root.TryGetProperty("pre_tokenizer", out var pre))
        {
            foreach (var step in Steps(pre, "pretokenizers").Where(s => Get(s, "type") == "Metaspace"))
            {
                string? scheme = Get(step, "prepend_scheme");
                if (scheme == "always" || (scheme is null && step.TryGetProperty("add_prefix_space", out var flag) && flag.ValueKind == JsonValueKind.True))
                    return true;
            }
        }
        return false;
    }
}
