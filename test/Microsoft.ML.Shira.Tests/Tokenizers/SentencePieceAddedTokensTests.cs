using Microsoft.ML.Shira.Text;
using Microsoft.ML.Tokenizers;

namespace Microsoft.ML.Shira.Tests.Tokenizers;

/// <summary>
/// Added tokens next to a <c>tokenizer.model</c> (as Phi-3 ships <c>&lt;|user|&gt;</c>, <c>&lt;|end|&gt;</c>), on the
/// stories260K SentencePiece model (512 pieces) with two tokens added after it. Expected ids are Microsoft.ML.Tokenizers'
/// SentencePiece ids of the text between the tokens; how the stretches are joined follows Hugging Face's rules
/// (a <c>Prepend</c> normalizer applies to every stretch; <c>Metaspace</c> "first" only to the start), which no
/// reference implementation on this machine can run for SentencePiece.
/// </summary>
[TestClass]
public sealed class SentencePieceAddedTokensTests
{
    private const int User = 512, End = 513, Bos = 1;
    private static readonly Lazy<LlamaTokenizer> Plain = new(() => LlamaTokenizer.Create(File.OpenRead(ModelPath), addBeginOfSentence: false, addEndOfSentence: false));

    private static string ModelPath => Path.Combine(TestPaths.Stories260K, "tokenizer.model");

    private static string Folder(string fileName, string content)
    {
        string dir = TestPaths.NewTempDirectory();
        File.Copy(ModelPath, Path.Combine(dir, "tokenizer.model"));
        File.WriteAllText(Path.Combine(dir, fileName), content);
        return dir;
    }

    private static string TokenizerJson(string normalizer, bool endRStrip) => $$$"""
        {"added_tokens": [
          {"id": 512, "content": "<|user|>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
          {"id": 513, "content": "<|end|>", "single_word": false, "lstrip": false, "rstrip": {{{(endRStrip ? "true" : "false")}}}, "normalized": false, "special": true}],
         "normalizer": {{{normalizer}}}, "pre_tokenizer": null, "model": {"type": "BPE", "byte_fallback": true, "vocab": {}, "merges": []}}
        """;

    private static int[] Plain_(string text) => Plain.Value.EncodeToIds(text, addBeginningOfSentence: false, addEndOfSentence: false).ToArray();

    [TestMethod]
    public void AddedTokensJsonTokensAreEncodedAsTheirIds()
    {
        var tokenizer = CausalLMTokenizers.Load(Folder("added_tokens.json", """{"<|user|>": 512, "<|end|>": 513}"""));
        var sp = (SentencePieceCausalLMTokenizer)tokenizer;
        Assert.HasCount(2, sp.AddedTokens);
        Assert.AreEqual(514, tokenizer.VocabularySize);
        const string text = "Hello<|user|> there<|end|>";
        var ids = tokenizer.Encode(text).ToArray();
        // Only the start of the text gets SentencePiece's ▁ prefix: " there" keeps its own space.
        CollectionAssert.AreEqual(new[] { Bos }.Concat(Plain_("Hello")).Append(User).Concat(Plain_("there")).Append(End).ToArray(), ids);
        Assert.AreEqual("<s>" + text, tokenizer.Decode(ids, skipSpecialTokens: false));
        Assert.AreEqual("Hello there", tokenizer.Decode(ids));
        Assert.AreEqual(1, ids.Count(id => id == User));
    }

    [TestMethod]
    public void WithoutPrependOnlyTheStartIsPrefixed()
    {
        var tokenizer = CausalLMTokenizers.Load(Folder("tokenizer.json", TokenizerJson("""{"type": "Replace", "pattern": {"String": " "}, "content": "▁"}""", endRStrip: false)));
        var ids = tokenizer.Encode("Hello<|user|>there").ToArray();
        var afterUser = ids.SkipWhile(id => id != User).Skip(1).ToArray();
        CollectionAssert.AreNotEqual(Plain_("there"), afterUser, "'there' right after the token has no ▁");
        CollectionAssert.AreEqual(new[] { Bos }.Concat(Plain_("Hello")).ToArray(), ids.TakeWhile(id => id != User).ToArray());
        Assert.AreEqual("<s>Hello<|user|>there", tokenizer.Decode(ids, skipSpecialTokens: false));
    }

    [TestMethod]
    public void PrependNormalizerPrefixesEveryStretch()
    {
        string normalizer = """{"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": "▁"}, {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}]}""";
        var tokenizer = CausalLMTokenizers.Load(Folder("tokenizer.json", TokenizerJson(normalizer, endRStrip: false)));
        var ids = tokenizer.Encode("Hello<|user|>there<|end|>").ToArray();
        CollectionAssert.AreEqual(new[] { Bos }.Concat(Plain_("Hello")).Append(User).Concat(Plain_("there")).Append(End).ToArray(), ids);
    }

    [TestMethod]
    public void RStripSwallowsTheWhitespaceAfter()
    {
        var strip = CausalLMTokenizers.Load(Folder("tokenizer.json", TokenizerJson("null", endRStrip: true)));
        var keep = CausalLMTokenizers.Load(Folder("tokenizer.json", TokenizerJson("null", endRStrip: false)));
        CollectionAssert.AreEqual(strip.Encode("a<|end|>b").ToArray(), strip.Encode("a<|end|>  \n b").ToArray());
        CollectionAssert.AreNotEqual(keep.Encode("a<|end|>b").ToArray(), keep.Encode("a<|end|>  \n b").ToArray());
    }

    [TestMethod]
    public void MalformedAddedTokensNameTheFile()
    {
        string dir = Folder("added_tokens.json", """{"<|user|>": "512"}""");
        var ex = Assert.ThrowsExactly<ShiraFormatException>(() => CausalLMTokenizers.Load(dir));
        StringAssert.Contains(ex.Message, "added_tokens.json");
        StringAssert.Contains(ex.Message, "'<|user|>'");

        dir = Folder("tokenizer.json", """{"added_tokens": [{"id": 512, "content": "<|user|>", "rstrip": 1}]}""");
        ex = Assert.ThrowsExactly<ShiraFormatException>(() => CausalLMTokenizers.Load(dir));
        StringAssert.Contains(ex.Message, "tokenizer.json");
        StringAssert.Contains(ex.Message, "'added_tokens[0].rstrip'");
    }
}
