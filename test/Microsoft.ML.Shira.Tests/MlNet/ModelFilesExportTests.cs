using Microsoft.ML.Shira.Text;
using System.Text.Json;
using Microsoft.ML.Shira.BaseModels;
using Microsoft.ML.Shira.Checkpoints.Peft;
using Microsoft.ML.Shira.Tests.Bert;
using Microsoft.ML.Shira.TextClassification;

namespace Microsoft.ML.Shira.Tests.MlNet;

/// <summary>Exporting a loaded model's adapter as a PEFT folder and its fused encoder as a Hugging Face folder.</summary>
[TestClass]
public sealed class ModelFilesExportTests
{
    private static ModelFilesFixture Fixture => ModelFilesFixture.Get();

    [ClassInitialize]
    public static void SaveOnce(TestContext context) => _ = ModelFilesFixture.Get();

    [TestMethod]
    public void ExportedAdapterLoadsBackWithIdenticalValuesAndHead()
    {
        string dir = TestPaths.NewTempDirectory();
        Fixture.Context.Shira().Model.ExportAdapter(Fixture.Loaded, "default", dir);

        CollectionAssert.AreEquivalent(new[] { "adapter_config.json", "adapter_model.safetensors", "classifier_head.safetensors" },
            Directory.GetFiles(dir).Select(Path.GetFileName).ToArray());
        var expected = Fixture.LoadedShira.GetAdapter("default");
        var adapter = PeftShiraAdapterFile.Load(dir);
        Assert.AreEqual("default", adapter.Name);
        Assert.AreEqual(expected.Metadata.BaseModelFingerprint, adapter.Metadata.BaseModelFingerprint);
        CollectionAssert.AreEquivalent(expected.Layers.Keys.ToList(), adapter.Layers.Keys.ToList());
        foreach (var layer in expected.Layers.Values)
        {
            var other = adapter.Layers[layer.ModulePath];
            CollectionAssert.AreEqual(layer.Rows, other.Rows, layer.ModulePath);
            CollectionAssert.AreEqual(layer.Columns, other.Columns, layer.ModulePath);
            CollectionAssert.AreEqual(ModelFilesFixture.Bits(layer.Values), ModelFilesFixture.Bits(other.Values), layer.ModulePath);
        }
        using (var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "adapter_config.json"))))
            Assert.AreEqual("SHIRA", config.RootElement.GetProperty("peft_type").GetString());

        var head = ShiraClassificationHeadFile.Load(Path.Combine(dir, ShiraClassificationHeadFile.FileName));
        var expectedHead = Fixture.LoadedShira.GetHead("default");
        CollectionAssert.AreEqual(ModelFilesFixture.Bits(expectedHead.Weight), ModelFilesFixture.Bits(head.Weight));
        CollectionAssert.AreEqual(ModelFilesFixture.Bits(expectedHead.Bias), ModelFilesFixture.Bits(head.Bias));
        CollectionAssert.AreEqual(expectedHead.ClassNames!.ToArray(), head.ClassNames!.ToArray());
        Assert.IsFalse(head.IsBinary);

        Assert.ThrowsExactly<KeyNotFoundException>(() => Fixture.Context.Shira().Model.ExportAdapter(Fixture.Loaded, "missing", dir));
        Assert.ThrowsExactly<ArgumentException>(() => Fixture.Context.Shira().Model.ExportAdapter(Fixture.Loaded.First(), "default", dir));
    }

    [TestMethod]
    public void FusedExportLoadsWithPretrainedEncodersAndHoldsTheFusedWeights()
    {
        string dir = TestPaths.NewTempDirectory();
        Fixture.Context.Shira().Model.ExportFused(Fixture.Loaded, dir);

        foreach (string file in new[] { "config.json", "model.safetensors", "vocab.txt", "tokenizer_config.json", "classifier_head.safetensors" })
            Assert.IsTrue(File.Exists(Path.Combine(dir, file)), file);
        using var fused = PretrainedEncoders.Load(dir);
        Assert.AreEqual(Fixture.LoadedShira.MaxSequenceLength, fused.Tokenizer.MaxLength);

        // Expected: the base weights with the adapter's values added at its indices (α = 1), every other entry untouched.
        var adapter = Fixture.LoadedShira.GetAdapter("default");
        var baseWeights = MiniLmFixture.Encoder.Bert.state_dict();
        var actual = fused.Bert.state_dict();
        CollectionAssert.AreEquivalent(baseWeights.Keys.ToList(), actual.Keys.ToList());
        int changed = 0;
        foreach (var (name, tensor) in baseWeights)
        {
            float[] expected = tensor.data<float>().ToArray();
            string module = name.EndsWith(".weight", StringComparison.Ordinal) ? name[..^".weight".Length] : "";
            if (adapter.Layers.TryGetValue(module, out var layer))
            {
                long[] flat = layer.FlatIndices();
                for (int i = 0; i < flat.Length; i++)
                    expected[flat[i]] += layer.Values[i];
                changed++;
            }
            CollectionAssert.AreEqual(ModelFilesFixture.Bits(expected), ModelFilesFixture.Bits(actual[name].data<float>().ToArray()), name);
        }
        Assert.AreEqual(adapter.Layers.Count, changed);
        CollectionAssert.AreEqual(((BertTextTokenizer)MiniLmFixture.Encoder.Tokenizer).EncodeToIds("A fused export."), ((BertTextTokenizer)fused.Tokenizer).EncodeToIds("A fused export."));
    }
}
