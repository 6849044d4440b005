using System.IO.Compression;
using System.Text.Json;
using Microsoft.ML.Data;
using Microsoft.ML.Shira.Adapters;
using Microsoft.ML.Shira.ModelFiles;
using Microsoft.ML.Shira.TextClassification;
using Microsoft.ML.Transforms;

namespace Microsoft.ML.Shira.Tests.MlNet;

/// <summary>Saving and loading SHiRA models with mlContext.Shira().Model: bit-exact chains, several adapters, embedded base.</summary>
[TestClass]
public sealed class ModelFilesRoundTripTests
{
    private static ModelFilesFixture Fixture => ModelFilesFixture.Get();

    [ClassInitialize]
    public static void SaveOnce(TestContext context) => _ = ModelFilesFixture.Get();

    [TestMethod]
    public void LoadedChainScoresHeldOutRowsBitExactlyWithTheSameLabels()
    {
        var loaded = Fixture.Loaded;
        var actual = Fixture.Score(loaded, Fixture.HeldOut);

        ModelFilesFixture.AssertBitExact(Fixture.Expected.Select(p => p.Score).ToList(), actual.Select(p => p.Score).ToList(), "Transform");
        CollectionAssert.AreEqual(Fixture.Expected.Select(p => p.PredictedLabel).ToList(), actual.Select(p => p.PredictedLabel).ToList());
        CollectionAssert.IsSubsetOf(actual.Select(p => p.PredictedLabel).Distinct().ToList(), new[] { "negative", "positive" });

        Assert.HasCount(3, loaded);
        Assert.IsInstanceOfType<ValueToKeyMappingTransformer>(loaded.ElementAt(0));
        Assert.IsInstanceOfType<ShiraTextClassificationTransformer>(loaded.ElementAt(1));
        Assert.IsInstanceOfType<KeyToValueMappingTransformer>(loaded.ElementAt(2));
        CollectionAssert.AreEqual(Fixture.InputSchema.Select(c => (c.Name, c.Type)).ToList(), Fixture.LoadedInputSchema.Select(c => (c.Name, c.Type)).ToList());
        var expectedOutput = Fixture.Original.GetOutputSchema(Fixture.InputSchema);
        var actualOutput = loaded.GetOutputSchema(Fixture.LoadedInputSchema);
        CollectionAssert.AreEqual(expectedOutput.Select(c => (c.Name, c.Type)).ToList(), actualOutput.Select(c => (c.Name, c.Type)).ToList());

        var shira = Fixture.LoadedShira;
        var original = TrainedSentimentModel.Get().Shira;
        Assert.AreEqual(original.MaxSequenceLength, shira.MaxSequenceLength);
        Assert.AreEqual(original.BatchSize, shira.BatchSize);
        Assert.AreSame(ShiraEncoderBaseModel.MiniLmL6V2, shira.BaseModel);

        // One row at a time through a PredictionEngine: the same as the original engine, bit for bit.
        var rows = TrainedSentimentModel.Get().TestRowsData.Take(4).ToList();
        using var engine = Fixture.Context.Model.CreatePredictionEngine<SentimentRow, ChainPrediction>(loaded, EngineOptions.KeepModel);
        float[][] originalScores;
        lock (TrainedSentimentModel.Lock)
        {
            using var originalEngine = Fixture.Context.Model.CreatePredictionEngine<SentimentRow, ChainPrediction>(Fixture.Original, EngineOptions.KeepModel);
            originalScores = rows.Select(r => originalEngine.Predict(r).Score.ToArray()).ToArray();
        }
        ModelFilesFixture.AssertBitExact(originalScores, rows.Select(r => engine.Predict(r).Score.ToArray()).ToList(), "PredictionEngine");
    }

    [TestMethod]
    public void FileHoldsMlNetSegmentsAndShiraEntriesDescribedByTheManifest()
    {
        using var zip = ZipFile.OpenRead(Fixture.ChainPath);
        var names = zip.Entries.Select(e => e.FullName).ToList();
        Assert.AreEqual("Shira/manifest.json", names[0], "The manifest comes first.");
        const string adapter = "Shira/transformers/0/adapters/0/";
        foreach (string expected in new[] { "MLNet/input-schema.zip", "MLNet/segment-0.zip", "MLNet/segment-1.zip",
            adapter + "adapter_model.safetensors", adapter + "adapter_config.json", adapter + "classifier_head.safetensors", adapter + "label_key_values.zip" })
            CollectionAssert.Contains(names, expected);
        Assert.IsFalse(names.Any(n => n.Contains("/base/", StringComparison.Ordinal)), "The built-in base model is referenced, not embedded.");

        using var manifest = JsonDocument.Parse(zip.GetEntry("Shira/manifest.json")!.Open());
        var root = manifest.RootElement;
        Assert.AreEqual(1, root.GetProperty("formatVersion").GetInt32());
        Assert.AreEqual(ShiraInfo.Version, root.GetProperty("libraryVersion").GetString());
        var items = root.GetProperty("model").GetProperty("items").EnumerateArray().ToList();
        CollectionAssert.AreEqual(new[] { "mlnet", "shira", "mlnet" }, items.Select(i => i.GetProperty("type").GetString()).ToArray());
        var shira = items[1];
        Assert.AreEqual("text-classification", shira.GetProperty("kind").GetString());
        Assert.AreEqual("Everything", shira.GetProperty("scope").GetString());
        var settings = shira.GetProperty("settings");
        Assert.AreEqual("Sentence1", settings.GetProperty("columns").GetProperty("sentence1").GetString());
        Assert.AreEqual(48, settings.GetProperty("maxSequenceLength").GetInt32());
        Assert.AreEqual("sentence-transformers/all-MiniLM-L6-v2", settings.GetProperty("base").GetProperty("id").GetString());
        Assert.AreEqual(64, settings.GetProperty("base").GetProperty("fingerprint").GetString()!.Length);
        Assert.AreEqual(JsonValueKind.Null, settings.GetProperty("base").GetProperty("embedded").ValueKind);
        var adapters = settings.GetProperty("adapters").EnumerateArray().ToList();
        Assert.HasCount(1, adapters);
        Assert.AreEqual("default", adapters[0].GetProperty("name").GetString());
        Assert.AreEqual("default", settings.GetProperty("active").GetProperty("head").GetString());
        var entries = root.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("name").GetString()).ToList();
        CollectionAssert.AreEquivalent(names.Skip(1).ToList(), entries, "Every entry but the manifest has a recorded digest.");
    }

    [TestMethod]
    public void SeveralAdaptersRoundTripAndSwitchAndFuseLikeTheOriginal()
    {
        var ml = Fixture.Context;
        var raw = Fixture.HeldOut;
        using var model = (ShiraTextClassificationTransformer)((TransformerChain<ITransformer>)ml.Shira().Model.Load(Fixture.ChainPath, out _)).ElementAt(1);
        AddFlippedAndTopicAdapters(model);
        model.Fuse([("default", 0.5), ("flipped", 0.25)], headAdapter: "flipped");
        string path = Path.Combine(TestPaths.NewTempDirectory(), "multi.zip");
        ml.Shira().Model.Save(model, raw.Schema, path);

        using var loaded = (ShiraTextClassificationTransformer)ml.Shira().Model.Load(path, out var schema);
        CollectionAssert.AreEqual(model.Adapters.ToArray(), loaded.Adapters.ToArray());
        CollectionAssert.AreEqual(model.ActiveAdapters.ToArray(), loaded.ActiveAdapters.ToArray());
        Assert.AreEqual("flipped", loaded.ActiveHead);
        Assert.AreEqual("Sentence1", schema["Sentence1"].Name);
        AssertSamePredictions(model, loaded, raw, "saved fusion");

        foreach (string name in new[] { "flipped", "topics", "default" })
        {
            model.SwitchTo(name);
            loaded.SwitchTo(name);
            AssertSamePredictions(model, loaded, raw, $"switched to '{name}'");
        }
        CollectionAssert.AreEqual(new[] { "a", "b", "c" }, loaded.GetHead("topics").ClassNames!.ToArray());
        CollectionAssert.AreEqual(ModelFilesFixture.Bits(model.GetHead("topics").Weight), ModelFilesFixture.Bits(loaded.GetHead("topics").Weight));
        ModelFilesFixture.AssertBitExact(Fixture.Expected.Select(p => p.Score).ToList(), Fixture.ScoreKeys(loaded, raw).Select(p => p.Score).ToList(),
            "switched back to the trained adapter, as the original model");

        using var fusedOriginal = ml.Shira().FuseAdapters(model, ("default", 1.0), ("topics", -0.5));
        using var fusedLoaded = ml.Shira().FuseAdapters(loaded, ("default", 1.0), ("topics", -0.5));
        AssertSamePredictions(fusedOriginal, fusedLoaded, raw, "fused view");
    }

    [TestMethod]
    public void EmbeddedBaseModelRoundTripsBitExactly()
    {
        var ml = Fixture.Context;
        string path = Path.Combine(TestPaths.NewTempDirectory(), "embedded.zip");
        ml.Shira().Model.Save(Fixture.Loaded, Fixture.LoadedInputSchema, path, new ShiraSaveOptions { EmbedBaseModel = true });

        using (var zip = ZipFile.OpenRead(path))
        {
            var names = zip.Entries.Select(e => e.FullName).ToList();
            foreach (string file in new[] { "config.json", "model.safetensors", "vocab.txt", "tokenizer_config.json" })
                CollectionAssert.Contains(names, "Shira/transformers/0/base/" + file);
        }
        Assert.IsGreaterThan(80_000_000L, new FileInfo(path).Length, "The MiniLM weights are in the file.");

        var loaded = ml.Shira().Model.Load(path, out _);
        try
        {
            var actual = Fixture.Score(loaded, Fixture.HeldOut);
            ModelFilesFixture.AssertBitExact(Fixture.Expected.Select(p => p.Score).ToList(), actual.Select(p => p.Score).ToList(), "embedded base");
            CollectionAssert.AreEqual(Fixture.Expected.Select(p => p.PredictedLabel).ToList(), actual.Select(p => p.PredictedLabel).ToList());
            var shira = (ShiraTextClassificationTransformer)((TransformerChain<ITransformer>)loaded).ElementAt(1);
            Assert.AreEqual(ShiraEncoderBaseModel.MiniLmL6V2.Id, shira.BaseModelId);
            Assert.AreNotSame(ShiraEncoderBaseModel.MiniLmL6V2, shira.BaseModel, "The base comes from the file.");
        }
        finally
        {
            (loaded as IDisposable)?.Dispose();
        }
    }

    [TestMethod]
    public void NestedChainsKeepTheirStructureAndScopes()
    {
        var ml = Fixture.Context;
        var loaded = Fixture.Loaded;
        var inner = new TransformerChain<ITransformer>([loaded.ElementAt(0), loaded.ElementAt(1)], [TransformerScope.TrainTest, TransformerScope.Everything]);
        var outer = new TransformerChain<ITransformer>([inner, loaded.ElementAt(2)], [TransformerScope.Everything, TransformerScope.Scoring]);
        string path = Path.Combine(TestPaths.NewTempDirectory(), "nested.zip");
        ml.Shira().Model.Save(outer, Fixture.InputSchema, path);

        var reloaded = (TransformerChain<ITransformer>)ml.Shira().Model.Load(path, out _);
        try
        {
            Assert.HasCount(2, reloaded);
            var reloadedInner = (TransformerChain<ITransformer>)reloaded.First();
            Assert.HasCount(2, reloadedInner);
            Assert.IsInstanceOfType<ValueToKeyMappingTransformer>(reloadedInner.First());
            Assert.IsInstanceOfType<ShiraTextClassificationTransformer>(reloadedInner.Last());
            Assert.HasCount(1, reloadedInner.GetModelFor(TransformerScope.Scoring), "MapValueToKey is TrainTest only.");
            Assert.HasCount(1, reloaded.GetModelFor(TransformerScope.Training), "MapKeyToValue is Scoring only.");
            Assert.HasCount(2, reloaded.GetModelFor(TransformerScope.Scoring));
            var actual = Fixture.Score(reloaded, Fixture.HeldOut);
            ModelFilesFixture.AssertBitExact(Fixture.Expected.Select(p => p.Score).ToList(), actual.Select(p => p.Score).ToList(), "nested chain");
        }
        finally
        {
            reloaded.Dispose();
        }
    }

    [TestMethod]
    public void ModelWithoutShiraIsStoredAsOneMlNetModel()
    {
        var ml = Fixture.Context;
        string path = Path.Combine(TestPaths.NewTempDirectory(), "plain.zip");
        ml.Shira().Model.Save(Fixture.Loaded.First(), Fixture.InputSchema, path);

        var loaded = ml.Shira().Model.Load(path, out var schema);
        Assert.IsInstanceOfType<ValueToKeyMappingTransformer>(loaded);
        Assert.AreEqual(Fixture.InputSchema["Label"].Type, schema["Label"].Type);
        using var zip = ZipFile.OpenRead(path);
        CollectionAssert.AreEquivalent(new[] { "Shira/manifest.json", "MLNet/input-schema.zip", "MLNet/segment-0.zip" }, zip.Entries.Select(e => e.FullName).ToArray());
    }

    private static void AssertSamePredictions(ITransformer expected, ITransformer actual, IDataView data, string what)
    {
        var e = Fixture.ScoreKeys(expected, data);
        var a = Fixture.ScoreKeys(actual, data);
        ModelFilesFixture.AssertBitExact(e.Select(p => p.Score).ToList(), a.Select(p => p.Score).ToList(), what);
        CollectionAssert.AreEqual(e.Select(p => p.PredictedLabel).ToList(), a.Select(p => p.PredictedLabel).ToList(), what);
    }

    /// <summary>
    /// "flipped": the trained update negated with the head's classes swapped (same labels); "topics": the trained update
    /// halved with a three-class head of its own (other labels).
    /// </summary>
    private static void AddFlippedAndTopicAdapters(ShiraTextClassificationTransformer model)
    {
        var trained = model.GetAdapter("default");
        var head = model.GetHead("default");
        int hidden = head.HiddenSize;
        SparseAdapter Scaled(string name, float factor) => new(name,
            trained.Layers.Values.Select(l => new SparseAdapterLayer(l.ModulePath, l.OutFeatures, l.InFeatures, l.Rows, l.Columns, l.Values.Select(v => v * factor).ToArray())),
            trained.Metadata);
        var swapped = head.Weight.Skip(hidden).Take(hidden).Concat(head.Weight.Take(hidden)).ToArray();
        model.AddAdapter(Scaled("flipped", -1f), new ShiraClassificationHead(swapped, [head.Bias[1], head.Bias[0]], head.ClassNames));
        var topics = Enumerable.Range(0, 3 * hidden).Select(i => MathF.Sin(i * 0.37f) * 0.1f).ToArray();
        model.AddAdapter(Scaled("topics", 0.5f), new ShiraClassificationHead(topics, [0.1f, -0.2f, 0.05f], ["a", "b", "c"]));
    }
}
