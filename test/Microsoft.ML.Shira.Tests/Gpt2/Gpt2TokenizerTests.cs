using Microsoft.ML.Shira.Checkpoints.HuggingFace;
using Microsoft.ML.Shira.Text;

namespace Microsoft.ML.Shira.Tests.Gpt2;

[TestClass]
public sealed class Gpt2TokenizerTests
{
    public static IEnumerable<object[]> Texts { get; } = new[]
    {
        "Hello, world! This is GPT-2.",
        "  leading spaces,   runs   of spaces and trailing   ",
        "Numbers: 3.14159, 2024, 1,000,000, 0x1F and the 42nd time.",
        "Punctuation!!! ??? ... --- (parens) [brackets] {braces} \"quotes\" 'single' ~tilde~ @#$%^&*",
        "Contractions: I'm, you're, it's, we'll, they've, she'd, don't, CAN'T, y'all",
        "Unicode: café, naïve, Zürich, 東京タワー, Москва, العربية, ελληνικά, ½ ≠ ∞",
        "Emoji: 😀👍🏽🚀 flags 🇫🇷 and a family 👨‍👩‍👧 ❤️",
        "Line one\nLine two\n\n\tTabbed line\r\nWindows line\n   \n",
        "Code: for (int i = 0; i < n; i++) { x += a[i] * 2; } // done",
        "Mixed CASE, snake_case_words, camelCaseWords, ALLCAPS and aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "First document.<|endoftext|>Second document.",
        "Accents without composition: e\u0301 vs é; zero\u200Bwidth; non\u00A0breaking",
    }.Select(t => new object[] { t }).ToArray();

    [TestMethod]
    [DynamicData(nameof(Texts))]
    public void VocabAndMergesMatchTiktokenGpt2(string text)
    {
        var tokenizer = ByteLevelBpeCausalLMTokenizer.FromVocabAndMerges(Gpt2TiktokenReference.VocabJson, Gpt2TiktokenReference.MergesText);
        AssertMatchesReference(tokenizer, text);
    }

    [TestMethod]
    [DynamicData(nameof(Texts))]
    public void TokenizerJsonMatchesTiktokenGpt2(string text)
    {
        var tokenizer = ByteLevelBpeCausalLMTokenizer.FromTokenizerJson(Gpt2TiktokenReference.TokenizerJson);
        AssertMatchesReference(tokenizer, text);
    }

    [TestMethod]
    public void SpecialTokensBosEosAndEmptyText()
    {
        var tokenizer = ByteLevelBpeCausalLMTokenizer.FromTokenizerJson(Gpt2TiktokenReference.TokenizerJson);
        Assert.AreEqual(50257, tokenizer.VocabularySize);
        Assert.AreEqual(Gpt2TiktokenReference.EndOfTextId, tokenizer.BosTokenId);
        Assert.AreEqual(Gpt2TiktokenReference.EndOfTextId, tokenizer.EosTokenId);
        Assert.IsFalse(tokenizer.AddBosToken);
        CollectionAssert.AreEqual(new[] { 15496, 995 }, tokenizer.Encode("Hello world").ToArray(), "no BOS for GPT-2, as in Hugging Face");
        CollectionAssert.AreEqual(new[] { Gpt2TiktokenReference.EndOfTextId }, tokenizer.Encode("").ToArray(), "an empty prompt starts from BOS");
        Assert.IsEmpty(tokenizer.Encode("", addBos: false));

        var withBos = ByteLevelBpeCausalLMTokenizer.FromTokenizerJson(Gpt2TiktokenReference.TokenizerJson, new ByteLevelBpeTokenizerOptions { AddBosToken = true });
        CollectionAssert.AreEqual(new[] { Gpt2TiktokenReference.EndOfTextId, 15496, 995 }, withBos.Encode("Hello world").ToArray());
        CollectionAssert.AreEqual(new[] { 15496, 995 }, withBos.Encode("Hello world", addBos: false).ToArray());

        var prefixed = ByteLevelBpeCausalLMTokenizer.FromTokenizerJson(Gpt2TiktokenReference.TokenizerJson, new ByteLevelBpeTokenizerOptions { AddPrefixSpace = true });
        CollectionAssert.AreEqual(Gpt2TiktokenReference.Tiktoken.EncodeToIds(" Hello world").ToArray(), prefixed.Encode("Hello world").ToArray());
    }

    [TestMethod]
    public void CausalLMTokenizersDetectsTheFiles()
    {
        string json = Gpt2TiktokenReference.WriteFolder(vocabAndMerges: false);
        string slow = Gpt2TiktokenReference.WriteFolder(tokenizerJson: false);
        File.WriteAllText(Path.Combine(slow, "tokenizer_config.json"),
            """{"add_bos_token": false, "add_prefix_space": false, "bos_token": {"content": "<|endoftext|>", "__type": "AddedToken"}, "eos_token": "<|endoftext|>", "model_max_length": 1024}""");
        string text = Gpt2TokenizerTestsText;
        var expected = Gpt2TiktokenReference.Tiktoken.EncodeToIds(text).ToArray();
        foreach (string dir in new[] { json, slow })
        {
            var tokenizer = CausalLMTokenizers.Load(dir);
            Assert.IsInstanceOfType<ByteLevelBpeCausalLMTokenizer>(tokenizer);
            CollectionAssert.AreEqual(expected, tokenizer.Encode(text).ToArray(), dir);
            Assert.AreEqual(Gpt2TiktokenReference.EndOfTextId, tokenizer.EosTokenId);
        }
        StringAssert.Contains(((ByteLevelBpeCausalLMTokenizer)CausalLMTokenizers.Load(json)).Source, "tokenizer.json");
        StringAssert.Contains(((ByteLevelBpeCausalLMTokenizer)CausalLMTokenizers.Load(slow)).Source, "merges.txt");

        var fromFiles = ByteLevelBpeCausalLMTokenizer.FromFiles(Path.Combine(slow, "vocab.json"), Path.Combine(slow, "merges.txt"));
        CollectionAssert.AreEqual(expected, fromFiles.Encode(text).ToArray());
    }

    private const string Gpt2TokenizerTestsText = "The quick brown fox jumps over the lazy dog, 3 times!\n";

    private static void AssertMatchesReference(ByteLevelBpeCausalLMTokenizer tokenizer, string text)
    {
        var expected = Gpt2TiktokenReference.Tiktoken.EncodeToIds(text).ToArray();
        var ids = tokenizer.Encode(text, addBos: false).ToArray();
        CollectionAssert.AreEqual(expected, ids, $"ids of '{text}'");
        CollectionAssert.AreEqual(expected, tokenizer.Encode(text).ToArray(), "GPT-2 adds no BOS to non-empty text");
        Assert.AreEqual(text, tokenizer.Decode(ids, skipSpecialTokens: false), "decode round trip");
        Assert.AreEqual(text.Replace("<|endoftext|>", "", StringComparison.Ordinal), tokenizer.Decode(ids), "special tokens skipped");
        Assert.AreEqual(Gpt2TiktokenReference.Tiktoken.Decode(ids), tokenizer.Decode(ids, skipSpecialTokens: false));
    }
}
