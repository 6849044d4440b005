using System.Text;
using Microsoft.ML.Shira.Text;

namespace Microsoft.ML.Shira.Tests.Gpt2;

[TestClass]
public sealed class Gpt2TokenizerErrorTests
{
    /// <summary>A minimal byte-level vocabulary: the 256 byte symbols plus "Ġt" (id 256).</summary>
    private static string ByteVocabJson(params string[] extra)
    {
        var tokens = Gpt2TiktokenReference.ByteChars().Select(c => c.ToString()).Concat(extra);
        return System.Text.Json.JsonSerializer.Serialize(tokens.Select((t, i) => (t, i)).ToDictionary(p => p.t, p => p.i));
    }

    [TestMethod]
    public void MinimalVocabularyWorks()
    {
        string dir = Folder(ByteVocabJson("Ġt"), "#version: 0.2\nĠ t\n");
        var tokenizer = ByteLevelBpeCausalLMTokenizer.Load(dir);
        CollectionAssert.AreEqual(new[] { 'a', 256, 256 }, tokenizer.Encode("a t t").ToArray());
        Assert.AreEqual("a t t", tokenizer.Decode(tokenizer.Encode("a t t")));
        Assert.IsNull(tokenizer.BosTokenId, "no <|endoftext|> in this vocabulary");
    }

    [TestMethod]
    public void MalformedVocabularyNamesTheFile()
    {
        string dir = Folder("{ \"a\": 1, ", "#version: 0.2\n");
        AssertError(dir, "vocab.json", "not valid JSON");

        dir = Folder("{ \"a\": \"one\" }", "#version: 0.2\n");
        AssertError(dir, "vocab.json", "'a'");

        dir = Folder("[1, 2]", "#version: 0.2\n");
        AssertError(dir, "vocab.json", "JSON object");

        dir = Folder("{ \"a\": 1 }", "#version: 0.2\n");
        AssertError(dir, "vocab.json", "byte 0x");
    }

    [TestMethod]
    public void MalformedMergesNameFileAndLine()
    {
        string dir = Folder(ByteVocabJson("Ġt"), "#version: 0.2\nĠ t\nĠt h e\n");
        AssertError(dir, "merges.txt", "line 3");

        dir = Folder(ByteVocabJson("Ġt"), "#version: 0.2\nĠ t\nĠt h\n");
        var ex = AssertError(dir, "merges.txt", "line 3");
        StringAssert.Contains(ex.Message, "'Ġth'");
    }

    [TestMethod]
    public void MalformedTokenizerJsonNamesTheFileAndKey()
    {
        string path = JsonFile("{ \"model\": ");
        StringAssert.Contains(Assert.ThrowsExactly<ShiraFormatException>(() => ByteLevelBpeCausalLMTokenizer.FromTokenizerJsonFile(path)).Message, path);

        var cases = new (string Json, string Key)[]
        {
            ("""{"model": {"type": "WordPiece", "vocab": {}}}""", "model.type"),
            ("""{"pre_tokenizer": {"type": "Metaspace"}, "model": {"type": "BPE", "vocab": {}, "merges": []}}""", "pre_tokenizer"),
            ("""{"normalizer": {"type": "Lowercase"}, "pre_tokenizer": {"type": "ByteLevel"}, "model": {"type": "BPE", "vocab": {}, "merges": []}}""", "normalizer"),
            ("""{"normalizer": {"type": "Sequence", "normalizers": [{"type": "NFC"}, {"type": "NFKC"}]}, "pre_tokenizer": {"type": "ByteLevel"}, "model": {"type": "BPE", "vocab": {}, "merges": []}}""", "normalizer.normalizers[1]"),
            ("""{"pre_tokenizer": {"type": "Sequence", "pretokenizers": [{"type": "Digits"}, {"type": "ByteLevel"}]}, "model": {"type": "BPE", "vocab": {}, "merges": []}}""", "pre_tokenizer.pretokenizers[0]"),
            ("""{"pre_tokenizer": {"type": "Sequence", "pretokenizers": [{"type": "Split", "pattern": {"Regex": "\\s+"}, "behavior": "Removed", "invert": false}, {"type": "ByteLevel"}]}, "model": {"type": "BPE", "vocab": {}, "merges": []}}""", "pre_tokenizer.pretokenizers[0].behavior"),
            ("""{"pre_tokenizer": {"type": "Sequence", "pretokenizers": [{"type": "Split", "pattern": {"Regex": "(unclosed"}, "behavior": "Isolated", "invert": false}, {"type": "ByteLevel"}]}, "model": {"type": "BPE", "vocab": {}, "merges": []}}""", "pre_tokenizer.pretokenizers[0].pattern.Regex"),
            ("""{"pre_tokenizer": {"type": "Sequence", "pretokenizers": [{"type": "Split", "pattern": {"Regex": "\\s+"}, "behavior": "Isolated", "invert": false}, {"type": "Metaspace"}]}, "model": {"type": "BPE", "vocab": {}, "merges": []}}""", "pre_tokenizer.pretokenizers[1]"),
            ("""{"pre_tokenizer": {"type": "ByteLevel"}, "model": {"type": "BPE", "byte_fallback": true, "vocab": {}, "merges": []}}""", "model.byte_fallback"),
            ("""{"pre_tokenizer": {"type": "ByteLevel"}, "decoder": {"type": "Metaspace"}, "model": {"type": "BPE", "vocab": {}, "merges": []}}""", "decoder"),
            ("""{"pre_tokenizer": {"type": "ByteLevel"}, "model": {"type": "BPE", "merges": []}}""", "model.vocab"),
            ("""{"pre_tokenizer": {"type": "ByteLevel"}, "model": {"type": "BPE", "vocab": {"a": 0}, "merges": [["a"]]}}""", "model.merges[0]"),
            ("""{"pre_tokenizer": {"type": "ByteLevel"}, "post_processor": {"type": "TemplateProcessing"}, "model": {"type": "BPE", "vocab": {}, "merges": []}}""", "post_processor.single"),
            ("""{"pre_tokenizer": {"type": "ByteLevel"}, "post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}], "special_tokens": {}}, "model": {"type": "BPE", "vocab": {}, "merges": []}}""", "post_processor.single[0]"),
            ("""{"pre_tokenizer": {"type": "ByteLevel"}, "post_processor": {"type": "RobertaProcessing", "sep": ["</s>"], "cls": ["<s>", 0]}, "model": {"type": "BPE", "vocab": {}, "merges": []}}""", "post_processor.sep"),
            ("""{"pre_tokenizer": {"type": "ByteLevel"}, "post_processor": {"type": "Sequence", "processors": [{"type": "ByteLevel"}, {"type": "BertProcessing", "sep": ["[SEP]", 1], "cls": ["[CLS]", 0]}, {"type": "RobertaProcessing", "sep": ["</s>", 2], "cls": ["<s>", 0]}]}, "model": {"type": "BPE", "vocab": {}, "merges": []}}""", "post_processor.processors[2]"),
            ("""{"pre_tokenizer": {"type": "ByteLevel"}, "post_processor": {"type": "BertProcessing2"}, "model": {"type": "BPE", "vocab": {}, "merges": []}}""", "post_processor"),
            ("""{"added_tokens": [{"id": 5, "content": "x", "lstrip": "yes"}], "pre_tokenizer": {"type": "ByteLevel"}, "model": {"type": "BPE", "vocab": {}, "merges": []}}""", "added_tokens[0].lstrip"),
            ("""{"added_tokens": [{"content": "x"}], "pre_tokenizer": {"type": "ByteLevel"}, "model": {"type": "BPE", "vocab": {}, "merges": []}}""", "added_tokens[0]"),
        };
        foreach (var (json, key) in cases)
        {
            path = JsonFile(json);
            var ex = Assert.ThrowsExactly<ShiraFormatException>(() => ByteLevelBpeCausalLMTokenizer.FromTokenizerJsonFile(path), key);
            StringAssert.Contains(ex.Message, path);
            StringAssert.Contains(ex.Message, $"'{key}'");
        }
    }

    [TestMethod]
    public void MissingFilesAreNamed()
    {
        string empty = TestPaths.NewTempDirectory();
        var ex = Assert.ThrowsExactly<ShiraFormatException>(() => CausalLMTokenizers.Load(empty));
        StringAssert.Contains(ex.Message, Path.Combine(empty, "tokenizer.json"));
        StringAssert.Contains(ex.Message, Path.Combine(empty, "merges.txt"));

        string vocab = Path.Combine(empty, "vocab.json");
        var missing = Assert.ThrowsExactly<ShiraFormatException>(() => ByteLevelBpeCausalLMTokenizer.FromFiles(vocab, Path.Combine(empty, "merges.txt")));
        StringAssert.Contains(missing.Message, vocab);

        string dir = Folder(ByteVocabJson(), "#version: 0.2\n");
        File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), """{"eos_token": "</s>"}""");
        var eos = Assert.ThrowsExactly<ShiraFormatException>(() => ByteLevelBpeCausalLMTokenizer.Load(dir));
        StringAssert.Contains(eos.Message, "'</s>'");
    }

    private static ShiraFormatException AssertError(string dir, string file, string fragment)
    {
        var ex = Assert.ThrowsExactly<ShiraFormatException>(() => ByteLevelBpeCausalLMTokenizer.Load(dir));
        StringAssert.Contains(ex.Message, Path.Combine(dir, file));
        StringAssert.Contains(ex.Message, fragment);
        return ex;
    }

    private static string Folder(string vocab, string merges)
    {
        string dir = TestPaths.NewTempDirectory();
        File.WriteAllText(Path.Combine(dir, "vocab.json"), vocab, new UTF8Encoding(false));
        File.WriteAllText(Path.Combine(dir, "merges.txt"), merges, new UTF8Encoding(false));
        return dir;
    }

    private static string JsonFile(string json)
    {
        string path = Path.Combine(TestPaths.NewTempDirectory(), "tokenizer.json");
        File.WriteAllText(path, json);
        return path;
    }
}
