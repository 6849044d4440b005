using Microsoft.ML.Data;
using Microsoft.ML.Shira.BaseModels;
using Microsoft.ML.Shira.IO;
using Microsoft.ML.Shira.ModelFiles;
using Microsoft.ML.Shira.TextClassification;

namespace Microsoft.ML.Shira.Tests.MlNet;

/// <summary>The encoder's base-model hook, shaped like the decoder's: the embedded MiniLM or a Hugging Face folder.</summary>
[TestClass]
public sealed class TextClassificationBaseModelTests
{
    private static ShiraTextClassificationOptions Options(ShiraEncoderBaseModel baseModel) => new()
    {
        BaseModel = baseModel,
        Sentence1ColumnName = nameof(BinarySentimentRow.Sentence1),
        Epochs = 1,
        BatchSize = 16,
        MaxSequenceLength = 32,
        NumberOfThreads = 1,
        Seed = 5,
    };

    [TestMethod]
    public void AFolderEncoderTrainsExactlyLikeTheEmbeddedOneAndMustBeEmbeddedToSave()
    {
        string folder = Path.Combine(Path.GetTempPath(), "shira-encoder-" + Guid.NewGuid().ToString("N"));
        try
        {
            using (var minilm = PretrainedEncoders.MiniLmL6V2())
                EncoderFolderFiles.Write(minilm.Model, minilm.Tokenizer, folder, Shira.Checkpoints.HuggingFace.HuggingFaceExporter.DefaultMaxShardBytes);
            var ml = new MLContext(seed: 1);
            var data = ml.Data.LoadFromEnumerable(Sst2Data.ReadBinary("train", 48));
            var test = ml.Data.LoadFromEnumerable(Sst2Data.ReadBinary("test", 16));
            using var embedded = ml.Shira().Train(data, Options(ShiraEncoderBaseModel.MiniLmL6V2));
            using var fromFolder = ml.Shira().Train(data, Options(ShiraEncoderBaseModel.FromFolder(folder)));

            Assert.AreEqual(Path.GetFullPath(folder), fromFolder.BaseModelId);
            var expected = embedded.GetAdapter("default");
            var actual = fromFolder.GetAdapter("default");
            foreach (var (path, layer) in expected.Layers)
            {
                CollectionAssert.AreEqual(layer.FlatIndices(), actual.Layers[path].FlatIndices(), $"{path}: same seed, same mask.");
                CollectionAssert.AreEqual(layer.Values, actual.Layers[path].Values, $"{path}: same weights and seed, same trained values.");
            }
            CollectionAssert.AreEqual(embedded.GetHead("default").Weight.ToArray(), fromFolder.GetHead("default").Weight.ToArray());
            var margins = Margins(embedded.Transform(test));
            CollectionAssert.AreEqual(margins, Margins(fromFolder.Transform(test)));

            using var stream = new MemoryStream();
            var refused = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Shira().Model.Save(fromFolder, data.Schema, stream));
            StringAssert.Contains(refused.Message, "EmbedBaseModel");
            ml.Shira().Model.Save(fromFolder, data.Schema, stream, new ShiraSaveOptions { EmbedBaseModel = true });
            stream.Position = 0;
            using var loaded = (ShiraTextClassificationTransformer)ml.Shira().Model.Load(stream, out _);
            Assert.AreEqual(fromFolder.BaseModelId, loaded.BaseModelId);
            CollectionAssert.AreEqual(margins, Margins(loaded.Transform(test)));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void AFolderWithoutAVocabularyFailsWhenTrainingStartsNamingTheFile()
    {
        string folder = Encoders.EncoderFolders.CopyCheckpoint("bert-no-pooler-targets");
        try
        {
            var baseModel = ShiraEncoderBaseModel.FromFolder(folder);
            var ml = new MLContext(seed: 1);
            var data = ml.Data.LoadFromEnumerable(Sst2Data.ReadBinary("train", 8));
            var error = Assert.ThrowsExactly<ShiraFormatException>(() => ml.Shira().Train(data, Options(baseModel)));
            StringAssert.Contains(error.Message, Path.Combine(Path.GetFullPath(folder), "vocab.txt"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static float[] Margins(IDataView scored) => scored.GetColumn<float>("Score").ToArray();

    [TestMethod]
    public void AMissingFolderIsNamed()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => ShiraEncoderBaseModel.FromFolder("no/such/encoder"));
        StringAssert.Contains(error.Message, "no/such/encoder");
    }
}
