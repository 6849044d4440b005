using Microsoft.ML.Shira.BaseModels;
using Microsoft.ML.Shira.Text;

namespace Microsoft.ML.Shira.Tests.Llama;

[TestClass]
public sealed class LlamaTokenizerTests
{
    [TestMethod]
    [DynamicData(nameof(Stories260KData.ReferenceCaseData), typeof(Stories260KData))]
    public void ReferencePromptsEncodeToReferenceIds(ReferenceCase reference)
    {
        var tokenizer = Stories260KData.LoadTokenizer();
        var ids = tokenizer.Encode(reference.Prompt);
        Assert.AreEqual(1, ids[0], "BOS first");
        CollectionAssert.AreEqual(reference.PromptIds, ids.ToArray());
        Assert.AreEqual(reference.Prompt, tokenizer.Decode(ids));
    }

    [TestMethod]
    [DynamicData(nameof(Stories260KData.ReferenceCaseData), typeof(Stories260KData))]
    public void ReferenceSequencesDecodeToReferenceText(ReferenceCase reference)
    {
        var tokenizer = Stories260KData.LoadTokenizer();
        Assert.AreEqual(reference.SequenceText, tokenizer.Decode(reference.SequenceIds));
    }

    [TestMethod]
    public void SpecialIdsAndEmptyText()
    {
        var tokenizer = Stories260KData.LoadTokenizer();
        Assert.AreEqual(512, tokenizer.VocabularySize);
        Assert.AreEqual(1, tokenizer.BosTokenId);
        Assert.AreEqual(2, tokenizer.EosTokenId);
        CollectionAssert.AreEqual(new[] { 1 }, tokenizer.Encode("").ToArray());
        Assert.IsEmpty(tokenizer.Encode("", addBos: false));
        CollectionAssert.AreEqual(new[] { 403, 407 }, tokenizer.Encode("Once upon", addBos: false).ToArray());
        Assert.AreEqual("Once upon", tokenizer.Decode(new[] { 1, 403, 407, 2 }));
        StringAssert.StartsWith(tokenizer.Decode(new[] { 1, 403, 407 }, skipSpecialTokens: false), "<s>");
    }

    [TestMethod]
    public void ByteFallbackRoundTrips()
    {
        var tokenizer = Stories260KData.LoadTokenizer();
        const string text = "Tom said: \"日本 ü 😀\"\n\tend";
        Assert.AreEqual(text, tokenizer.Decode(tokenizer.Encode(text)));
    }

    [TestMethod]
    public void EmbeddedTokenizerEqualsFileTokenizer()
    {
        using var decoder = PretrainedDecoders.Stories260K();
        var fromFile = Stories260KData.LoadTokenizer();
        foreach (var reference in Stories260KData.ReferenceCases)
            CollectionAssert.AreEqual(fromFile.Encode(reference.Prompt).ToArray(), decoder.Tokenizer.Encode(reference.Prompt).ToArray());
    }

    [TestMethod]
    public void MissingOrCorruptTokenizerNamesTheFile()
    {
        string dir = TestPaths.NewTempDirectory();
        var missing = Assert.ThrowsExactly<ShiraFormatException>(() => CausalLMTokenizers.Load(dir));
        StringAssert.Contains(missing.Message, Path.Combine(dir, "tokenizer.model"));

        string corrupt = Path.Combine(dir, "tokenizer.model");
        File.WriteAllBytes(corrupt, new byte[] { 0xFF, 0xFF, 0xFF, 0x01, 0x02 });
        var ex = Assert.ThrowsExactly<ShiraFormatException>(() => SentencePieceCausalLMTokenizer.FromFile(corrupt));
        StringAssert.Contains(ex.Message, corrupt);
    }
}
