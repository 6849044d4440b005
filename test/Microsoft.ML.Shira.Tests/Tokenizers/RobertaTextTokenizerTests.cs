using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML.Shira.Text;
using Microsoft.ML.Tokenizers;

namespace Microsoft.ML.Shira.Tests.Tokenizers;

/// <summary>
/// RoBERTa's encoder tokenization on a RoBERTa-shaped tokenizer (GPT-2's ranks shifted by four for <c>&lt;s&gt;</c>,
/// <c>&lt;pad&gt;</c>, <c>&lt;/s&gt;</c>, <c>&lt;unk&gt;</c>; <c>RobertaProcessing</c>), checked against Hugging Face's
/// tokenizers on the same file and against Microsoft.ML.Tokenizers' tiktoken for gpt2 (ids + 4). The ids are not
/// roberta-base's own (its vocab.json numbers tokens differently from GPT-2's ranks); the pipeline is.
/// </summary>
[TestClass]
public sealed class RobertaTextTokenizerTests
{
    private static readonly Lazy<TiktokenTokenizer> Gpt2 = new(() => TiktokenTokenizer.CreateForModel("gpt2"));
    private static readonly Lazy<RobertaTextTokenizer> FromJson = new(() => RobertaTextTokenizer.Load(SyntheticTokenizerJson.RobertaFolder, maxLength: 4096));
    private static readonly Lazy<string> SlowFolder = new(WriteVocabAndMerges);

    private const int Cls = 0, Pad = 1, Sep = 2, Offset = SyntheticTokenizerJson.RobertaOffset;

    [TestMethod]
    public void IdsMatchHuggingFaceTokenizers()
    {
        using var reference = HuggingFaceReference.Load(SyntheticTokenizerJson.JsonPath(SyntheticTokenizerJson.RobertaFolder));
        foreach (string text in TokenizerTestTexts.All.Append("The capital of France is <mask>. <s>x</s> <pad>"))
            CollectionAssert.AreEqual(HuggingFaceReference.Encode(reference, text), FromJson.Value.EncodeToIds(text), $"ids of '{text}'");
    }

    [TestMethod]
    public void IdsAreGpt2TiktokenShiftedBetweenClsAndSep()
    {
        foreach (var tokenizer in new[] { FromJson.Value, RobertaTextTokenizer.Load(SlowFolder.Value, maxLength: 4096) })
        {
            foreach (string text in TokenizerTestTexts.All)
            {
                var expected = Gpt2.Value.EncodeToIds(text).Select(id => id + Offset).Prepend(Cls).Append(Sep).ToArray();
                CollectionAssert.AreEqual(expected, tokenizer.EncodeToIds(text), $"{tokenizer}: ids of '{text}'");
            }
        }
    }

    [TestMethod]
    public void MaskSwallowsTheSpaceBeforeIt()
    {
        foreach (var tokenizer in new[] { FromJson.Value, RobertaTextTokenizer.Load(SlowFolder.Value, maxLength: 4096) })
        {
            var ids = tokenizer.EncodeToIds("Paris is <mask>.");
            var expected = Gpt2.Value.EncodeToIds("Paris is").Select(id => id + Offset).Prepend(Cls)
                .Append(SyntheticTokenizerJson.RobertaMask).Concat(Gpt2.Value.EncodeToIds(".").Select(id => id + Offset)).Append(Sep).ToArray();
            CollectionAssert.AreEqual(expected, ids, tokenizer.ToString());
        }
    }

    [TestMethod]
    public void PairsAndPaddingFollowRobertaProcessing()
    {
        var tokenizer = FromJson.Value.WithMaxLength(16);
        var a = Gpt2.Value.EncodeToIds("Is it raining?").Select(id => id + Offset).ToArray();
        var b = Gpt2.Value.EncodeToIds("No.").Select(id => id + Offset).ToArray();
        var batch = tokenizer.EncodePairs([("Is it raining?", "No."), ("a", "b")]);
        // <s> A </s></s> B </s>, as RobertaTokenizer.build_inputs_with_special_tokens documents.
        var first = new[] { Cls }.Concat(a).Concat([Sep, Sep]).Concat(b).Append(Sep).Select(id => (long)id).ToArray();
        CollectionAssert.AreEqual(first, batch.RowIds(0));
        Assert.AreEqual(first.Length, batch.SequenceLength);
        Assert.AreEqual(6, batch.Lengths[1], "<s> a </s></s> b </s>");
        CollectionAssert.AreEqual(Enumerable.Repeat((long)Pad, first.Length - 6).ToArray(), batch.InputIds.Skip(batch.SequenceLength + 6).Take(first.Length - 6).ToArray());
        CollectionAssert.AreEqual(Enumerable.Repeat(1L, 6).Concat(Enumerable.Repeat(0L, first.Length - 6)).ToArray(), batch.AttentionMask.Skip(batch.SequenceLength).ToArray());
        Assert.IsTrue(batch.TokenTypeIds.All(t => t == 0), "RoBERTa has a single segment");

        var padded = tokenizer.Encode(["Hello world"], PaddingStrategy.MaxLength);
        Assert.AreEqual(16, padded.SequenceLength);
        CollectionAssert.AreEqual(new long[] { Cls, 15496 + Offset, 995 + Offset, Sep }, padded.RowIds(0));
    }

    [TestMethod]
    public void TruncationKeepsTheSpecialTokens()
    {
        var tokenizer = FromJson.Value.WithMaxLength(8);
        string longText = string.Join(" ", Enumerable.Repeat("word", 20));
        var ids = tokenizer.EncodeToIds(longText);
        Assert.HasCount(8, ids);
        Assert.AreEqual(Cls, ids[0]);
        Assert.AreEqual(Sep, ids[^1]);

        var pair = tokenizer.EncodePairs([(longText, "short")]).RowIds(0);
        Assert.HasCount(8, pair);
        // Longest-first: four specials leave four tokens, three from the long text and the one of "short".
        CollectionAssert.AreEqual(new long[] { Cls, ids[1], ids[2], ids[3], Sep, Sep, Gpt2.Value.EncodeToIds("short")[0] + Offset, Sep }, pair);
    }

    [TestMethod]
    public void AddPrefixSpaceMatchesHuggingFace()
    {
        string dir = SyntheticTokenizerJson.Edited(SyntheticTokenizerJson.RobertaFolder, root => root["pre_tokenizer"]!["add_prefix_space"] = true);
        var tokenizer = RobertaTextTokenizer.Load(dir, maxLength: 4096);
        Assert.IsTrue(tokenizer.AddPrefixSpace);
        using var reference = HuggingFaceReference.Load(SyntheticTokenizerJson.JsonPath(dir));
        foreach (string text in new[] { "Hello world", " Hello world", "Hello<mask>world</s>again", "\nnew line" })
            CollectionAssert.AreEqual(HuggingFaceReference.Encode(reference, text), tokenizer.EncodeToIds(text), $"ids of '{text}'");
        CollectionAssert.AreEqual(new[] { Cls, 18435 + Offset, 995 + Offset, Sep }, tokenizer.EncodeToIds("Hello world"), "' Hello' is GPT-2's 18435");
    }

    [TestMethod]
    public void MissingPiecesAreNamed()
    {
        string noPost = SyntheticTokenizerJson.Edited(SyntheticTokenizerJson.RobertaFolder, root => root["post_processor"] = null);
        var ex = Assert.ThrowsExactly<ShiraFormatException>(() => RobertaTextTokenizer.Load(noPost));
        StringAssert.Contains(ex.Message, "tokenizer.json");
        StringAssert.Contains(ex.Message, "'post_processor'");

        var vocab = JsonNode.Parse(File.ReadAllText(Path.Combine(SlowFolder.Value, "vocab.json")))!.AsObject();
        vocab.Remove("<pad>");
        ex = Assert.ThrowsExactly<ShiraFormatException>(() => RobertaTextTokenizer.FromVocabAndMerges(
            JsonSerializer.SerializeToUtf8Bytes(vocab), File.ReadAllBytes(Path.Combine(SlowFolder.Value, "merges.txt")), vocabSource: "my/vocab.json"));
        StringAssert.Contains(ex.Message, "my/vocab.json");
        StringAssert.Contains(ex.Message, "'<pad>'");

        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => FromJson.Value.WithMaxLength(4));
    }

    [TestMethod]
    public void BertAndRobertaShareTheEncoderInterface()
    {
        IEncoderTokenizer roberta = FromJson.Value.WithMaxLength(32);
        var batch = roberta.Encode(["one", "two words"]);
        Assert.AreEqual(2, batch.BatchSize);
        Assert.AreEqual(Pad, roberta.PadTokenId);
        Assert.AreEqual(32, roberta.MaxLength);
        CollectionAssert.AreEqual(roberta.EncodeToIds("two words").Select(id => (long)id).ToArray(), batch.RowIds(1));
    }

    /// <summary>vocab.json + merges.txt with the same content as the RoBERTa-shaped tokenizer.json.</summary>
    private static string WriteVocabAndMerges()
    {
        var root = JsonNode.Parse(File.ReadAllText(SyntheticTokenizerJson.JsonPath(SyntheticTokenizerJson.RobertaFolder)))!;
        string dir = TestPaths.NewTempDirectory();
        File.WriteAllText(Path.Combine(dir, "vocab.json"), root["model"]!["vocab"]!.ToJsonString());
        var merges = root["model"]!["merges"]!.AsArray().Select(m => $"{m![0]} {m[1]}");
        File.WriteAllText(Path.Combine(dir, "merges.txt"), "#version: 0.2\n" + string.Join("\n", merges) + "\n");
        return dir;
    }
}
