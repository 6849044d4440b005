using System.Globalization;
using System.Text.Json.Nodes;

namespace Microsoft.ML.Shira.Tests.Tokenizers;

/// <summary>
/// An XLM-RoBERTa-shaped <c>tokenizer.json</c>: a SentencePiece <c>Unigram</c> model whose vocabulary starts with
/// fairseq's <c>&lt;s&gt;</c> 0, <c>&lt;pad&gt;</c> 1, <c>&lt;/s&gt;</c> 2, <c>&lt;unk&gt;</c> 3, then whole words
/// (<c>▁word</c>, log-frequency scores from <paramref name="corpus"/>) and every character of the corpus (low scores), a
/// <c>Metaspace</c> pre-tokenizer and <c>RobertaProcessing</c>, as transformers writes for XLM-RoBERTa. A fixture, not a
/// reference: the reference is Hugging Face's tokenizers on this same file.
/// </summary>
internal static class SyntheticUnigramTokenizerJson
{
    public static JsonObject Build(IEnumerable<string> corpus, int maxPieces)
    {
        var texts = corpus.ToList();
        var words = texts.SelectMany(t => t.Split(' ', '\n', '\t', '\r')).Where(w => w.Length > 1)
            .GroupBy(w => w, StringComparer.Ordinal).Select(g => (Word: g.Key, Count: g.Count()))
            .OrderByDescending(w => w.Count).ThenBy(w => w.Word, StringComparer.Ordinal).ToList();
        var characters = texts.SelectMany(t => t.EnumerateRunes()).Select(r => r.ToString()).Where(c => c.Trim().Length > 0)
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var vocab = new JsonArray();
        void Add(string piece, double score) => vocab.Add(new JsonArray(piece, score));
        foreach (string special in new[] { "<s>", "<pad>", "</s>", "<unk>" })
            Add(special, 0.0);
        Add("▁", -2.0);
        foreach (string c in characters)
            Add(c, -10.0);
        double total = words.Sum(w => w.Count);
        foreach (var (word, count) in words.Take(Math.Max(0, maxPieces - vocab.Count - 1)))
            Add("▁" + word, Math.Log(count / total));
        Add("<mask>", 0.0);
        int mask = vocab.Count - 1;
        JsonObject Special(int id, string content) => new()
        {
            ["id"] = id, ["content"] = content, ["single_word"] = false, ["lstrip"] = content == "<mask>", ["rstrip"] = false,
            ["normalized"] = false, ["special"] = true,
        };
        return new JsonObject
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = new JsonArray(Special(0, "<s>"), Special(1, "<pad>"), Special(2, "</s>"), Special(3, "<unk>"), Special(mask, "<mask>")),
            ["normalizer"] = null,
            ["pre_tokenizer"] = new JsonObject { ["type"] = "Metaspace", ["replacement"] = "▁", ["prepend_scheme"] = "always", ["split"] = true },
            ["post_processor"] = new JsonObject
            {
                ["type"] = "RobertaProcessing",
                ["sep"] = new JsonArray("</s>", 2),
                ["cls"] = new JsonArray("<s>", 0),
                ["trim_offsets"] = true,
                ["add_prefix_space"] = true,
            },
            ["decoder"] = new JsonObject { ["type"] = "Metaspace", ["replacement"] = "▁", ["prepend_scheme"] = "always", ["split"] = true },
            ["model"] = new JsonObject { ["type"] = "Unigram", ["unk_id"] = 3, ["vocab"] = vocab, ["byte_fallback"] = false },
        };
    }

    /// <summary>Writes <c>tokenizer.json</c> into <paramref name="folder"/>.</summary>
    public static string Write(string folder, IEnumerable<string> corpus, int maxPieces)
    {
        string path = Path.Combine(folder, "tokenizer.json");
        File.WriteAllText(path, Build(corpus, maxPieces).ToJsonString());
        return path;
    }

    /// <summary>Invariant text of a number, for messages.</summary>
    public static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
