using Microsoft.ML.Shira.Text;
using Microsoft.ML.Tokenizers;

namespace Microsoft.ML.Shira.Tests.Tokenizers;

/// <summary>
/// A Llama-3-shaped <c>tokenizer.json</c> (Split with the cl100k regex + ByteLevel, <c>ignore_merges</c>,
/// TemplateProcessing prepending <c>&lt;|begin_of_text|&gt;</c>) built from tiktoken's cl100k_base ranks, checked
/// against two independent implementations: Microsoft.ML.Tokenizers' <see cref="TiktokenTokenizer"/> for gpt-4 on the
/// original ranks, and Hugging Face's tokenizers on the same file.
/// </summary>
[TestClass]
public sealed class Llama3TokenizerJsonTests
{
    private static readonly Lazy<TiktokenTokenizer> Tiktoken = new(() => TiktokenTokenizer.CreateForModel("gpt-4"));
    private static readonly Lazy<ByteLevelBpeCausalLMTokenizer> Ours = new(() => ByteLevelBpeCausalLMTokenizer.Load(SyntheticTokenizerJson.Llama3Folder));

    [TestMethod]
    public void IdsMatchTiktokenCl100k()
    {
        var tokenizer = Ours.Value;
        Assert.IsTrue(tokenizer.AddBosToken);
        Assert.AreEqual(SyntheticTokenizerJson.BeginOfText, tokenizer.BosTokenId);
        int compared = 0;
        foreach (string text in TokenizerTestTexts.All)
        {
            var expected = Tiktoken.Value.EncodeToIds(text).ToArray();
            CollectionAssert.AreEqual(expected, tokenizer.Encode(text, addBos: false).ToArray(), $"ids of '{text}'");
            CollectionAssert.AreEqual(expected.Prepend(SyntheticTokenizerJson.BeginOfText).ToArray(), tokenizer.Encode(text).ToArray(), "the template prepends <|begin_of_text|>");
            Assert.AreEqual(text, tokenizer.Decode(expected), "decode round trip");
            compared += expected.Length;
        }
        Assert.IsGreaterThan(2500, compared, "enough tokens compared");
    }

    [TestMethod]
    public void SpecialTokensInTextMatchTiktoken()
    {
        const string text = "First document.<|endoftext|>Second<|fim_prefix|> x <|fim_suffix|>\n<|endofprompt|>";
        var expected = Tiktoken.Value.EncodeToIds(text).ToArray();
        CollectionAssert.Contains(expected, 100257);
        CollectionAssert.AreEqual(expected, Ours.Value.Encode(text, addBos: false).ToArray());
        Assert.AreEqual("First document.Second x \n", Ours.Value.Decode(expected));
        Assert.AreEqual(text, Ours.Value.Decode(expected, skipSpecialTokens: false));
    }

    [TestMethod]
    public void IdsMatchHuggingFaceTokenizers()
    {
        using var reference = HuggingFaceReference.Load(SyntheticTokenizerJson.JsonPath(SyntheticTokenizerJson.Llama3Folder));
        foreach (string text in TokenizerTestTexts.All.Append("<|begin_of_text|>Hi<|endoftext|>"))
            CollectionAssert.AreEqual(HuggingFaceReference.Encode(reference, text), Ours.Value.Encode(text).ToArray(), $"ids of '{text}'");
    }

    [TestMethod]
    public void EmptyTextIsBeginOfTextAlone()
    {
        CollectionAssert.AreEqual(new[] { SyntheticTokenizerJson.BeginOfText }, Ours.Value.Encode("").ToArray());
        Assert.IsEmpty(Ours.Value.Encode("", addBos: false));
    }

    [TestMethod]
    public void CausalLMTokenizersLoadsTheFolder()
    {
        var tokenizer = CausalLMTokenizers.Load(SyntheticTokenizerJson.Llama3Folder);
        Assert.IsInstanceOfType<ByteLevelBpeCausalLMTokenizer>(tokenizer);
        CollectionAssert.AreEqual(new[] { SyntheticTokenizerJson.BeginOfText }.Concat(Tiktoken.Value.EncodeToIds("Hello world")).ToArray(), tokenizer.Encode("Hello world").ToArray());
    }
}
