using Microsoft.ML.Shira.Text;
using Microsoft.ML.Shira.Adapters.Switching;
using Microsoft.ML.Shira.BaseModels;
using Microsoft.ML.Shira.Checkpoints.HuggingFace;
using Microsoft.ML.Shira.IO.Safetensors;
using Microsoft.ML.Shira.Models.Bert;
using Microsoft.ML.Shira.Tests.Adapters;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Tests.Bert;

[TestClass]
public sealed class BertHuggingFaceFolderTests
{
    private static string ExportMiniLm(BertModel model)
    {
        string dir = TestPaths.NewTempDirectory();
        HuggingFaceExporter.Save(model, dir);
        using (var vocab = PretrainedEncoders.OpenMiniLmL6V2Vocab())
        using (var file = File.Create(Path.Combine(dir, "vocab.txt")))
            vocab.CopyTo(file);
        return dir;
    }

    [TestMethod]
    public void ExportedMiniLmLoadsBitIdenticallyWithItsTokenizer()
    {
        var original = MiniLmFixture.Encoder;
        string dir = ExportMiniLm(original.Bert);
        using var loaded = PretrainedEncoders.Load(dir);

        Assert.AreEqual(original.Bert.Config, loaded.Bert.Config);
        var expected = original.Bert.state_dict();
        foreach (var (name, tensor) in loaded.Bert.state_dict())
            CollectionAssert.AreEqual(expected[name].bytes.ToArray(), tensor.bytes.ToArray(), name);
        CollectionAssert.AreEqual(((BertTextTokenizer)original.Tokenizer).EncodeToIds("Hello, world!"), ((BertTextTokenizer)loaded.Tokenizer).EncodeToIds("Hello, world!"));
        using var a = original.Embed(new[] { "a small test" });
        using var b = loaded.Embed(new[] { "a small test" });
        Assert.IsTrue(a.allclose(b, rtol: 0, atol: 0));
    }

    [TestMethod]
    public void FusedAdapterExportsAndReloadsAsPlainWeights()
    {
        using var encoder = PretrainedEncoders.MiniLmL6V2();
        var adapter = AdapterTestData.RandomAdapter(encoder.Bert, "a", 3, share: 0.01);
        using var switcher = new FusedAdapterSwitcher(encoder.Bert);
        switcher.Register(adapter);
        switcher.Activate("a");
        string dir = ExportMiniLm(encoder.Bert);

        using var loaded = PretrainedEncoders.Load(dir);
        var fused = encoder.Bert.state_dict();
        foreach (var (name, tensor) in loaded.Bert.state_dict())
            CollectionAssert.AreEqual(fused[name].bytes.ToArray(), tensor.bytes.ToArray(), name);
        switcher.Deactivate();
        Assert.IsFalse(loaded.Bert.state_dict()["encoder.layer.0.attention.self.query.weight"]
            .allclose(encoder.Bert.state_dict()["encoder.layer.0.attention.self.query.weight"], rtol: 0, atol: 0));
    }

    [TestMethod]
    public void TaskCheckpointWithBertPrefixAndClassifierLoadsTheEncoder()
    {
        var original = MiniLmFixture.Encoder;
        string dir = TestPaths.NewTempDirectory();
        var tensors = original.Bert.state_dict().ToDictionary(kv => "bert." + kv.Key, kv => kv.Value);
        tensors["classifier.weight"] = zeros(2, 384);
        tensors["classifier.bias"] = zeros(2);
        SafetensorsWriter.Write(Path.Combine(dir, "model.safetensors"), tensors);
        File.WriteAllText(Path.Combine(dir, "config.json"), original.Bert.Config.ToJson());
        File.Copy(Path.Combine(ExportMiniLm(original.Bert), "vocab.txt"), Path.Combine(dir, "vocab.txt"));

        using var loaded = PretrainedEncoders.Load(dir);
        Assert.IsTrue(loaded.Bert.state_dict()["encoder.layer.5.output.dense.weight"]
            .allclose(original.Bert.state_dict()["encoder.layer.5.output.dense.weight"], rtol: 0, atol: 0));
    }

    [TestMethod]
    public void MissingVocabularyOrBadConfigNamesTheFile()
    {
        string dir = ExportMiniLm(MiniLmFixture.Encoder.Bert);
        File.Delete(Path.Combine(dir, "vocab.txt"));
        StringAssert.Contains(Assert.ThrowsExactly<ShiraFormatException>(() => PretrainedEncoders.Load(dir)).Message, "vocab.txt");

        string bad = ExportMiniLm(MiniLmFixture.Encoder.Bert);
        File.WriteAllText(Path.Combine(bad, "config.json"), """{"model_type":"bert","hidden_size":-1}""");
        StringAssert.Contains(Assert.ThrowsExactly<ShiraFormatException>(() => PretrainedEncoders.Load(bad)).Message, "config.json");
    }
}
