using System.Text.Json.Nodes;
using Microsoft.ML.Data;
using Microsoft.ML.Shira.BaseModels;
using Microsoft.ML.Shira.IO.Folders;
using Microsoft.ML.Shira.ModelFiles;
using Microsoft.ML.Shira.Tests.MlNet;
using Microsoft.ML.Shira.Text;
using Microsoft.ML.Shira.TextClassification;

namespace Microsoft.ML.Shira.Tests.Encoders;

/// <summary>
/// Text classification on encoder families other than BERT: RoBERTa (byte-level BPE, positions after the padding id)
/// and DistilBERT (its own projection names, no token types), from Hugging Face folders, trained through ML.NET and
/// saved in model files with the base embedded.
/// </summary>
[TestClass]
public sealed class EncoderFamilyClassificationTests
{
    private static ShiraTextClassificationOptions Options(string folder) => EncoderFolders.ClassifierOptions(folder, maxSequenceLength: 48, seed: 3);

    [TestMethod]
    public void DistilBertTrainsOnItsOwnProjectionNamesAndReloadsFromAModelFile()
    {
        string folder = EncoderFolders.DistilBert();
        var adapter = TrainSaveAndReload(folder);
        var expected = new[] { "q_lin", "k_lin", "v_lin", "out_lin", "lin1", "lin2" }
            .SelectMany(name => Enumerable.Range(0, 2).Select(layer => $"transformer.layer.{layer}.{(name.StartsWith("lin", StringComparison.Ordinal) ? "ffn" : "attention")}.{name}"))
            .Order(StringComparer.Ordinal).ToList();
        CollectionAssert.AreEqual(expected, adapter.Layers.Keys.Order(StringComparer.Ordinal).ToList(),
            "The default BERT targets become DistilBERT's own names: every attention and feed-forward projection of both layers.");
    }

    [TestMethod]
    public void RobertaTrainsWithItsByteLevelTokenizerAndReloadsFromAModelFile()
    {
        string folder = EncoderFolders.Roberta();
        var adapter = TrainSaveAndReload(folder);
        foreach (int layer in new[] { 0, 1 })
        {
            foreach (string path in new[] { "attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense", "intermediate.dense", "output.dense" })
                Assert.IsTrue(adapter.Layers.ContainsKey($"encoder.layer.{layer}.{path}"), $"encoder.layer.{layer}.{path} is adapted.");
        }
        Assert.IsFalse(adapter.Layers.Keys.Any(k => k.StartsWith("pooler.", StringComparison.Ordinal)),
            "The checkpoint's pooler matches 'dense' but mean pooling never reaches it, so it is not adapted.");
    }

    /// <summary>Trains, checks every test row gets finite scores, saves with the base embedded and reloads with the same scores.</summary>
    private static Shira.Adapters.SparseAdapter TrainSaveAndReload(string folder)
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Sst2Data.ReadBinary("train", 64));
        var test = ml.Data.LoadFromEnumerable(Sst2Data.ReadBinary("test", 24));
        using var trained = ml.Shira().Train(data, Options(folder));
        Assert.AreEqual(Path.GetFullPath(folder), trained.BaseModelId);
        var scores = trained.Transform(test).GetColumn<float>("Score").ToArray();
        Assert.AreEqual(24, scores.Length);
        Assert.IsTrue(scores.All(float.IsFinite));
        Assert.IsTrue(scores.Distinct().Count() > 1, "Different sentences get different scores.");

        using var stream = new MemoryStream();
        ml.Shira().Model.Save(trained, data.Schema, stream, new ShiraSaveOptions { EmbedBaseModel = true });
        stream.Position = 0;
        Directory.Delete(folder, recursive: true);
        using var loaded = (ShiraTextClassificationTransformer)ml.Shira().Model.Load(stream, out _);
        CollectionAssert.AreEqual(scores, loaded.Transform(test).GetColumn<float>("Score").ToArray(), "The embedded base and its tokenizer load back exactly.");
        return trained.GetAdapter("default");
    }

    [TestMethod]
    public void RobertaFramesTextsAndPairsAsHuggingFaceDoes()
    {
        string folder = EncoderFolders.Roberta();
        try
        {
            var tokenizer = RobertaTextTokenizer.Load(new DirectoryModelFileSource(folder), maxLength: 128);
            var a = tokenizer.Tokenize("a fine film");
            var b = tokenizer.Tokenize("dull");
            var single = tokenizer.Encode(["a fine film", "dull"]);
            CollectionAssert.AreEqual(Frame([0], a, [2]), single.RowIds(0), "<s> a </s>");
            CollectionAssert.AreEqual(Enumerable.Repeat(1L, a.Count - b.Count).ToArray(),
                single.InputIds.Skip(single.SequenceLength + b.Count + 2).Take(single.SequenceLength - b.Count - 2).ToArray(), "padded with <pad> (1)");
            var pair = tokenizer.EncodePairs([("a fine film", "dull")]);
            CollectionAssert.AreEqual(Frame([0], a, [2, 2], b, [2]), pair.RowIds(0), "<s> a </s></s> b </s>");
            Assert.IsTrue(pair.TokenTypeIds.All(t => t == 0), "RoBERTa has a single token type.");
            Assert.IsTrue(a.Count > 3, "The text is longer than the truncation below.");
            var truncated = tokenizer.WithMaxLength(5).Encode(["a fine film"]);
            CollectionAssert.AreEqual(new long[] { 0, a[0], a[1], a[2], 2 }, truncated.RowIds(0));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static long[] Frame(params IReadOnlyList<int>[] parts) => parts.SelectMany(p => p).Select(i => (long)i).ToArray();

    [TestMethod]
    public void RobertaUsesFewerTokensThanItsPositionTable()
    {
        string folder = EncoderFolders.Roberta();
        try
        {
            using var encoder = PretrainedEncoders.Load(folder);
            Assert.AreEqual(128, encoder.Model.MaxTokens, "max_position_embeddings 130 minus padding_idx + 1.");
            Assert.AreEqual(128, encoder.Tokenizer.MaxLength);
            var ml = new MLContext(seed: 1);
            var data = ml.Data.LoadFromEnumerable(Sst2Data.ReadBinary("train", 8));
            var options = Options(folder);
            options.MaxSequenceLength = 129;
            var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Shira().Train(data, options));
            StringAssert.Contains(error.Message, "exceeds the 128 positions");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void XlmRobertaTrainsWithItsUnigramTokenizerAndReloadsFromAModelFile()
    {
        string folder = EncoderFolders.XlmRoberta();
        var adapter = TrainSaveAndReload(folder);
        Assert.IsTrue(adapter.Layers.ContainsKey("encoder.layer.1.attention.self.query"));
        Assert.IsFalse(adapter.Layers.Keys.Any(k => k.StartsWith("pooler.", StringComparison.Ordinal)));
    }

    [TestMethod]
    public void AnXlmRobertaFolderWithoutTokenizerJsonIsRefusedNamingIt()
    {
        string folder = EncoderFolders.CopyCheckpoint("roberta");
        try
        {
            EncoderFolders.SetModelType(folder, "xlm-roberta");
            var error = Assert.ThrowsExactly<ShiraFormatException>(() => PretrainedEncoders.Load(folder));
            StringAssert.Contains(error.Message, Path.Combine(folder, "tokenizer.json"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void ADecoderFolderIsRefusedAsAClassifierBase()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Sst2Data.ReadBinary("train", 8));
        var error = Assert.ThrowsExactly<ShiraFormatException>(() => ml.Shira().Train(data, Options(EncoderFolders.ArchRef("qwen2"))));
        StringAssert.Contains(error.Message, "'qwen2' model, which is not an encoder");
    }
}
