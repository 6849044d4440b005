using Microsoft.ML.Shira.Text;

namespace Microsoft.ML.Shira.Tests.Bert;

[TestClass]
public sealed class BertTextTokenizerTests
{
    private static BertTextTokenizer Tokenizer => (BertTextTokenizer)MiniLmFixture.Encoder.Tokenizer;

    [TestMethod]
    public void HelloWorldGivesKnownIds()
    {
        CollectionAssert.AreEqual(new[] { 101, 7592, 2088, 102 }, Tokenizer.EncodeToIds("hello world"));
    }

    [TestMethod]
    public void LowerCasesAndStripsAccents()
    {
        CollectionAssert.AreEqual(Tokenizer.EncodeToIds("hello world"), Tokenizer.EncodeToIds("HeLLo   WORLD"));
        CollectionAssert.AreEqual(Tokenizer.EncodeToIds("cafe"), Tokenizer.EncodeToIds("Café"));
    }

    [TestMethod]
    public void SpecialTokenIdsAreBertUncased()
    {
        Assert.AreEqual(101, Tokenizer.ClsTokenId);
        Assert.AreEqual(102, Tokenizer.SepTokenId);
        Assert.AreEqual(0, Tokenizer.PadTokenId);
        Assert.AreEqual(256, Tokenizer.MaxLength);
    }

    [TestMethod]
    public void BatchIsPaddedToLongestWithMask()
    {
        var batch = Tokenizer.Encode(["hello world", "hello"]);
        Assert.AreEqual(2, batch.BatchSize);
        Assert.AreEqual(4, batch.SequenceLength);
        CollectionAssert.AreEqual(new long[] { 101, 7592, 2088, 102, 101, 7592, 102, 0 }, batch.InputIds.ToArray());
        CollectionAssert.AreEqual(new long[] { 1, 1, 1, 1, 1, 1, 1, 0 }, batch.AttentionMask.ToArray());
        CollectionAssert.AreEqual(new long[8], batch.TokenTypeIds.ToArray());
        CollectionAssert.AreEqual(new[] { 4, 3 }, batch.Lengths.ToArray());
        CollectionAssert.AreEqual(new long[] { 101, 7592, 102 }, batch.RowIds(1));
    }

    [TestMethod]
    public void MaxLengthPaddingAndTruncation()
    {
        var tokenizer = Tokenizer.WithMaxLength(6);
        var padded = tokenizer.Encode(["hello"], PaddingStrategy.MaxLength);
        Assert.AreEqual(6, padded.SequenceLength);
        CollectionAssert.AreEqual(new long[] { 1, 1, 1, 0, 0, 0 }, padded.AttentionMask.ToArray());

        var ids = tokenizer.EncodeToIds("one two three four five six seven");
        Assert.HasCount(6, ids);
        Assert.AreEqual(101, ids[0]);
        Assert.AreEqual(102, ids[^1]);
        CollectionAssert.AreEqual(Tokenizer.EncodeToIds("one two three four").ToArray(), ids);
    }

    [TestMethod]
    public void PairsGetSegmentIdsAndLongestFirstTruncation()
    {
        var batch = Tokenizer.EncodePairs([("hello", "hello world")]);
        CollectionAssert.AreEqual(new long[] { 101, 7592, 102, 7592, 2088, 102 }, batch.InputIds.ToArray());
        CollectionAssert.AreEqual(new long[] { 0, 0, 0, 1, 1, 1 }, batch.TokenTypeIds.ToArray());

        // Max 7: 4 content tokens fit; "a b c d e" vs "f g" → drop from the longer first → "a b" + "f g".
        var truncated = Tokenizer.WithMaxLength(7).EncodePairs([("a b c d e", "f g")]);
        var expected = new List<int> { 101 };
        expected.AddRange(Tokenizer.Tokenize("a b"));
        expected.Add(102);
        expected.AddRange(Tokenizer.Tokenize("f g"));
        expected.Add(102);
        CollectionAssert.AreEqual(expected.Select(i => (long)i).ToArray(), truncated.InputIds.ToArray());
        CollectionAssert.AreEqual(new long[] { 0, 0, 0, 0, 1, 1, 1 }, truncated.TokenTypeIds.ToArray());
    }

    [TestMethod]
    public void ToTensorsHasBatchShape()
    {
        using var inputs = Tokenizer.Encode(["hello world", "hello"]).ToTensors();
        CollectionAssert.AreEqual(new long[] { 2, 4 }, inputs.InputIds.shape);
        Assert.AreEqual(global::TorchSharp.torch.ScalarType.Int64, inputs.AttentionMask.dtype);
        Assert.AreEqual(3L, inputs.AttentionMask[1].sum().item<long>());
    }
}
