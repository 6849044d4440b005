using Microsoft.ML.Shira.IO.Folders;
using Microsoft.ML.Shira.Text;

namespace Microsoft.ML.Shira.Tests.Tokenizers;

/// <summary>
/// XLM-RoBERTa's encoder tokenization (Microsoft.ML.Tokenizers' SentencePiece unigram from <c>tokenizer.json</c>, framed
/// as RoBERTa's) against Hugging Face's tokenizers on an XLM-RoBERTa-shaped file.
/// </summary>
[TestClass]
public sealed class XlmRobertaTextTokenizerTests
{
    private static readonly string[] Texts = [.. TokenizerTestTexts.All.Skip(TokenizerTestTexts.EdgeCases.Length), "Hello, world! This is a test.", "x"];

    private static readonly Lazy<string> Folder = new(() =>
    {
        string folder = TestPaths.NewTempDirectory();
        SyntheticUnigramTokenizerJson.Write(folder, Texts, maxPieces: 2000);
        return folder;
    });

    [TestMethod]
    public void IdsMatchHuggingFaceTokenizers()
    {
        using var reference = HuggingFaceReference.Load(Path.Combine(Folder.Value, "tokenizer.json"));
        var tokenizer = XlmRobertaTextTokenizer.Load(new DirectoryModelFileSource(Folder.Value), maxLength: 4096);
        int pieces = 0;
        foreach (string text in Texts)
        {
            var expected = HuggingFaceReference.Encode(reference, text);
            CollectionAssert.AreEqual(expected, tokenizer.EncodeToIds(text), $"ids of '{text}'");
            pieces += expected.Length;
        }
        Assert.IsTrue(pieces > 2000, $"{pieces} ids compared.");
    }

    [TestMethod]
    public void WordsInTheVocabularyAreOnePieceAndPairsAreFramedLikeRoberta()
    {
        var tokenizer = XlmRobertaTextTokenizer.Load(new DirectoryModelFileSource(Folder.Value), maxLength: 4096);
        var a = tokenizer.Tokenize("the film");
        Assert.AreEqual(2, a.Count, "'▁the' and '▁film' are pieces of the vocabulary.");
        var b = tokenizer.Tokenize("x");
        var pair = tokenizer.EncodePairs([("the film", "x")]);
        long[] expected = [0, .. a.Select(i => (long)i), 2, 2, .. b.Select(i => (long)i), 2];
        CollectionAssert.AreEqual(expected, pair.RowIds(0), "<s> a </s></s> b </s>");
        Assert.IsTrue(pair.TokenTypeIds.All(t => t == 0));
        var padded = tokenizer.Encode(["the film is a story of the film", "x"]);
        Assert.IsTrue(padded.Lengths[0] > padded.Lengths[1]);
        Assert.AreEqual(1L, padded.InputIds[padded.SequenceLength + padded.Lengths[1]], "Padded with <pad> (1).");
    }

    [TestMethod]
    public void AFolderWithOnlyTheSentencePieceModelIsRefusedNamingTokenizerJson()
    {
        string folder = TestPaths.NewTempDirectory();
        File.WriteAllBytes(Path.Combine(folder, XlmRobertaTextTokenizer.SentencePieceFileName), [1, 2, 3]);
        var error = Assert.ThrowsExactly<ShiraFormatException>(() => XlmRobertaTextTokenizer.Load(new DirectoryModelFileSource(folder), 128));
        StringAssert.Contains(error.Message, Path.Combine(folder, "tokenizer.json"));
    }

    [TestMethod]
    public void ABpeTokenizerJsonIsRefusedAsXlmRoberta()
    {
        var error = Assert.ThrowsExactly<ShiraFormatException>(() =>
            XlmRobertaTextTokenizer.Load(new DirectoryModelFileSource(SyntheticTokenizerJson.RobertaFolder), 128));
        StringAssert.Contains(error.Message, "'Unigram' model");
    }
}
