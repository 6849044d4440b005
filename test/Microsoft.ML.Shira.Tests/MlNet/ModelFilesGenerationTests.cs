using System.IO.Compression;
using System.Text.Json;
using Microsoft.ML.Shira.Adapters;
using Microsoft.ML.Shira.BaseModels;
using Microsoft.ML.Shira.Checkpoints.Peft;
using Microsoft.ML.Shira.Decoding;
using Microsoft.ML.Shira.ModelFiles;
using Microsoft.ML.Shira.TextGeneration;

namespace Microsoft.ML.Shira.Tests.MlNet;

/// <summary>Saving and loading SHiRA text generators with mlContext.Shira().Model: same greedy text, bit-identical perplexity, adapters, exports.</summary>
[TestClass]
public sealed class ModelFilesGenerationTests
{
    private const string Trained = "default";
    private const string Halved = "halved";
    private static readonly string[] Prompts = ["ROMEO:\n", "First Citizen:\nWe are", ""];
    private static readonly Lazy<Saved> Fixture = new(() => new Saved());

    [ClassCleanup]
    public static void DeleteFile()
    {
        if (!Fixture.IsValueCreated)
            return;
        Fixture.Value.Loaded.Dispose();
        File.Delete(Fixture.Value.Path);
    }

    [TestMethod]
    public void LoadedGeneratorGeneratesTheSameTextAndBitIdenticalPerplexity()
    {
        var saved = Fixture.Value;
        var loaded = saved.Loaded;
        Assert.IsTrue(saved.ExpectedTexts.Any(t => t.Length > 0), "the trained model generates text");
        CollectionAssert.AreEqual(saved.ExpectedTexts, Prompts.Select(p => loaded.Generate(p).Text).ToList());
        Assert.AreEqual(saved.ExpectedPerplexity, loaded.Perplexity(saved.Evaluation));
        var rows = saved.Context.Data.LoadFromEnumerable(Prompts.Select(p => new TextRow { Text = p }).ToList());
        var generated = saved.Context.Data.CreateEnumerable<GeneratedRow>(loaded.Transform(rows), reuseRowObject: false).Select(r => r.GeneratedText).ToList();
        CollectionAssert.AreEqual(saved.ExpectedTexts, generated);

        var original = TrainedShakespeareModel.Get().Model;
        Assert.AreSame(ShiraDecoderBaseModel.Stories260K, loaded.BaseModel);
        Assert.AreEqual(original.MaxSequenceLength, loaded.MaxSequenceLength);
        Assert.AreEqual(original.BatchSize, loaded.BatchSize);
        Assert.AreEqual(original.AppendsEndOfSequence, loaded.AppendsEndOfSequence);
        Assert.AreEqual((original.TextColumnName, original.PromptColumnName, original.ResponseColumnName, original.OutputColumnName),
            (loaded.TextColumnName, loaded.PromptColumnName, loaded.ResponseColumnName, loaded.OutputColumnName));
        Assert.AreEqual(original.Generation, loaded.Generation);
        CollectionAssert.AreEqual(original.Adapters.ToList(), loaded.Adapters.ToList());

        using var zip = ZipFile.OpenRead(saved.Path);
        Assert.IsFalse(zip.Entries.Any(e => e.FullName.Contains("/base/", StringComparison.Ordinal)), "stories260K is referred to by id");
        using var manifest = JsonDocument.Parse(zip.GetEntry("Shira/manifest.json")!.Open());
        var model = manifest.RootElement.GetProperty("model");
        Assert.AreEqual("text-generation", model.GetProperty("kind").GetString());
        var settings = model.GetProperty("settings");
        Assert.AreEqual("stories260K", settings.GetProperty("base").GetProperty("id").GetString());
        Assert.AreEqual(24, settings.GetProperty("generation").GetProperty("maxNewTokens").GetInt32());
        Assert.IsTrue(zip.GetEntry("Shira/transformers/0/adapters/0/adapter_model.safetensors") is not null);
    }

    [TestMethod]
    public void TwoAdaptersWithAFusionSurviveAnEmbeddedBaseAndSwitchIdentically()
    {
        var saved = Fixture.Value;
        var context = saved.Context;
        using var copy = (ShiraTextGenerationTransformer)context.Shira().Model.Load(saved.Path, out _);
        var trained = copy.GetAdapter(Trained);
        copy.AddAdapter(new SparseAdapter(Halved,
            trained.Layers.Values.Select(l => new SparseAdapterLayer(l.ModulePath, l.OutFeatures, l.InFeatures, l.Rows, l.Columns, l.Values.Select(v => v * 0.5f).ToArray())),
            trained.Metadata));
        copy.Fuse([(Trained, 0.25), (Halved, 1.0)]);
        copy.Generation = copy.Generation with { MaxNewTokens = 16, StopStrings = ["\n\n"] };

        using var stream = new MemoryStream();
        context.Shira().Model.Save(copy, saved.Evaluation.Schema, stream, new ShiraSaveOptions { EmbedBaseModel = true });
        stream.Position = 0;
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true))
        {
            foreach (string file in new[] { "config.json", "model.safetensors", "tokenizer.model", "generation_config.json" })
                Assert.IsNotNull(zip.GetEntry("Shira/transformers/0/base/" + file), file);
        }
        stream.Position = 0;
        using var loaded = (ShiraTextGenerationTransformer)context.Shira().Model.Load(stream, out _);

        CollectionAssert.AreEqual(new[] { Trained, Halved }, loaded.Adapters.ToList());
        CollectionAssert.AreEqual(copy.ActiveAdapters.ToList(), loaded.ActiveAdapters.ToList());
        Assert.AreEqual(ShiraDecoderBaseModel.Stories260KId, loaded.BaseModelId);
        Assert.AreNotSame(ShiraDecoderBaseModel.Stories260K, loaded.BaseModel);
        CollectionAssert.AreEqual(new[] { "\n\n" }, loaded.Generation.StopStrings.ToList());
        AssertSameModel(copy, loaded, saved.Evaluation);

        copy.SwitchTo(Halved);
        loaded.SwitchTo(Halved);
        AssertSameModel(copy, loaded, saved.Evaluation);

        loaded.SwitchTo(Trained);
        Assert.AreEqual(saved.ExpectedPerplexity, loaded.Perplexity(saved.Evaluation));
        loaded.SwitchToBaseModel();
        copy.SwitchToBaseModel();
        AssertSameModel(copy, loaded, saved.Evaluation);
    }

    [TestMethod]
    public void ExportsOfAGeneratorLoadAsPeftAdapterAndHuggingFaceFolder()
    {
        var saved = Fixture.Value;
        var loaded = saved.Loaded;
        string root = Path.Combine(Path.GetTempPath(), "shira-genfiles-" + Guid.NewGuid().ToString("N"));
        try
        {
            saved.Context.Shira().Model.ExportAdapter(loaded, Trained, Path.Combine(root, "peft"));
            var adapter = PeftShiraAdapterFile.Load(Path.Combine(root, "peft"));
            var expected = loaded.GetAdapter(Trained);
            CollectionAssert.AreEqual(expected.Layers.Keys.ToList(), adapter.Layers.Keys.ToList());
            foreach (var (path, layer) in expected.Layers)
                CollectionAssert.AreEqual(layer.Values.ToArray(), adapter.Layers[path].Values.ToArray(), path);

            string fused = Path.Combine(root, "fused");
            saved.Context.Shira().Model.ExportFused(loaded, fused);
            using var decoder = PretrainedDecoders.Load(fused);
            var options = loaded.Generation;
            CollectionAssert.AreEqual(saved.ExpectedTexts, Prompts.Select(p => decoder.Generator.Generate(p, options).Text).ToList());

            // A base model from a folder (here the fused export) is not built in: it must be embedded.
            var folderModel = saved.Context.Shira().TextGeneration(new ShiraTextGenerationOptions
            {
                BaseModel = ShiraDecoderBaseModel.FromFolder(fused),
                Epochs = 1,
                MaxSequenceLength = 32,
                NumberOfThreads = 1,
                Seed = 3,
                Generation = new GenerationOptions { MaxNewTokens = 12 },
            }).Fit(saved.Context.Data.LoadFromEnumerable(TextGenerationData.ShakespeareTrain(16)));
            using (folderModel)
            {
                string file = Path.Combine(root, "folder-base.zip");
                Assert.ThrowsExactly<InvalidOperationException>(() => saved.Context.Shira().Model.Save(folderModel, saved.Evaluation.Schema, file));
                Assert.IsFalse(File.Exists(file));
                saved.Context.Shira().Model.Save(folderModel, saved.Evaluation.Schema, file, new ShiraSaveOptions { EmbedBaseModel = true });
                Directory.Delete(fused, recursive: true);
                using var reloaded = (ShiraTextGenerationTransformer)saved.Context.Shira().Model.Load(file, out _);
                AssertSameModel(folderModel, reloaded, saved.Evaluation);
            }
        }
        finally
        {
            if (Directory.Exists(root))
                Directory.Delete(root, recursive: true);
        }
    }

    private static void AssertSameModel(ShiraTextGenerationTransformer expected, ShiraTextGenerationTransformer actual, IDataView data)
    {
        CollectionAssert.AreEqual(Prompts.Select(p => expected.Generate(p).Text).ToList(), Prompts.Select(p => actual.Generate(p).Text).ToList());
        Assert.AreEqual(expected.Perplexity(data), actual.Perplexity(data));
    }

    /// <summary>The shared trained generator saved once (base by id) and loaded once, with the original's outputs.</summary>
    private sealed class Saved
    {
        public Saved()
        {
            var shared = TrainedShakespeareModel.Get();
            Context = shared.Context;
            Evaluation = Context.Data.LoadFromEnumerable(TextGenerationData.ShakespeareHeldOut(40));
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"shira-generation-{Guid.NewGuid():N}.zip");
            lock (TrainedShakespeareModel.Lock)
            {
                var model = shared.Model;
                Context.Shira().Model.Save(model, Evaluation.Schema, Path);
                ExpectedTexts = Prompts.Select(p => model.Generate(p).Text).ToList();
                ExpectedPerplexity = model.Perplexity(Evaluation);
            }
            Loaded = (ShiraTextGenerationTransformer)Context.Shira().Model.Load(Path, out _);
        }

        public MLContext Context { get; }

        public IDataView Evaluation { get; }

        public string Path { get; }

        public List<string> ExpectedTexts { get; }

        public double ExpectedPerplexity { get; }

        public ShiraTextGenerationTransformer Loaded { get; }
    }
}
