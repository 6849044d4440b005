using Microsoft.ML.Shira.Decoding;
using Microsoft.ML.Shira.TextGeneration;

namespace Microsoft.ML.Shira.Tests.MlNet;

/// <summary>The base-model hook (embedded stories260K or a Hugging Face folder) and seeded, reproducible training.</summary>
[TestClass]
public sealed class TextGenerationBaseModelTests
{
    private static ShiraTextGenerationOptions Options(ShiraDecoderBaseModel baseModel) => new()
    {
        BaseModel = baseModel,
        Epochs = 1,
        BatchSize = 8,
        MaxSequenceLength = 64,
        NumberOfThreads = 1,
        Seed = 11,
        Generation = new GenerationOptions { MaxNewTokens = 16 },
    };

    [TestMethod]
    public void AFolderModelTrainsExactlyLikeTheEmbeddedOneWithTheSameSeed()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(TextGenerationData.ShakespeareTrain(24));
        var folder = ShiraDecoderBaseModel.FromFolder(TestPaths.Stories260K);
        using var embedded = ml.Shira().Train(data, Options(ShiraDecoderBaseModel.Stories260K));
        using var again = ml.Shira().Train(data, Options(ShiraDecoderBaseModel.Stories260K));
        using var fromFolder = ml.Shira().Train(data, Options(folder));

        Assert.AreEqual(Path.GetFullPath(TestPaths.Stories260K), fromFolder.BaseModelId);
        var expected = embedded.GetAdapter("default");
        foreach (var other in new[] { again, fromFolder })
        {
            var adapter = other.GetAdapter("default");
            CollectionAssert.AreEqual(expected.Layers.Keys.ToArray(), adapter.Layers.Keys.ToArray());
            foreach (var (path, layer) in expected.Layers)
            {
                CollectionAssert.AreEqual(layer.FlatIndices(), adapter.Layers[path].FlatIndices(), $"{path}: same seed, same mask.");
                CollectionAssert.AreEqual(layer.Values, adapter.Layers[path].Values, $"{path}: same seed, same trained values.");
            }
            Assert.AreEqual(embedded.Generate("ROMEO:\n").Text, other.Generate("ROMEO:\n").Text);
        }
        Assert.IsTrue(expected.Layers.Values.Any(l => l.Values.Any(v => v != 0)), "Training moved the values.");
    }

    [TestMethod]
    public void AMissingFolderIsNamed()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => ShiraDecoderBaseModel.FromFolder("no/such/model"));
        StringAssert.Contains(error.Message, "no/such/model");
    }

    [TestMethod]
    public void SeededSamplingAtTransformIsReproduciblePerRow()
    {
        var trained = TrainedShakespeareModel.Get();
        lock (TrainedShakespeareModel.Lock)
        {
            var model = trained.Model;
            var previous = model.Generation;
            try
            {
                model.Generation = new GenerationOptions { MaxNewTokens = 20, DoSample = true, Temperature = 0.9, TopK = 40, Seed = 123 };
                var prompts = trained.Context.Data.LoadFromEnumerable(new[] { new TextRow { Text = "ROMEO:\n" }, new TextRow { Text = "ROMEO:\n" } });
                var first = trained.Context.Data.CreateEnumerable<GeneratedRow>(model.Transform(prompts), reuseRowObject: false).Select(r => r.GeneratedText).ToList();
                var second = trained.Context.Data.CreateEnumerable<GeneratedRow>(model.Transform(prompts), reuseRowObject: false).Select(r => r.GeneratedText).ToList();

                CollectionAssert.AreEqual(first, second);
                Assert.AreEqual(first[0], first[1], "Every row is sampled with the options' seed.");
                Assert.AreNotEqual(model.Generate("ROMEO:\n", previous).Text, first[0], "Sampling differs from greedy decoding.");
            }
            finally
            {
                model.Generation = previous;
            }
        }
    }
}
