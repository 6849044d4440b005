using System.Text.Json;
using Microsoft.ML.Shira.Adapters;
using Microsoft.ML.Shira.Checkpoints.Peft;
using Microsoft.ML.Shira.IO.Safetensors;
using Microsoft.ML.Shira.Masks;
using Microsoft.ML.Shira.Tests.Adapters;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Tests.Checkpoints;

[TestClass]
public sealed class PeftShiraAdapterFileTests
{
    private static SparseAdapter Sample(string name = "sst2") =>
        AdapterTestData.RandomAdapter(new TinyTransformer(), name, 5, share: 0.03, new AdapterMetadata
        {
            MaskType = MaskType.Snip, Rank = 0, Sparsity = 0.03, Seed = 5, TargetModules = new[] { "query", "value" },
            BaseModelName = "tiny", BaseModelFingerprint = new string('a', 64), TaskType = "SEQ_CLS",
        });

    [TestMethod]
    public void RoundTripIsExactAndFilesFollowPeftLayout()
    {
        var adapter = Sample();
        string dir = TestPaths.NewTempDirectory();
        PeftShiraAdapterFile.Save(adapter, dir);

        var file = SafetensorsFile.Open(Path.Combine(dir, "adapter_model.safetensors"));
        var values = file.GetEntry("base_model.model.layer.0.query.shira_weight");
        var indices = file.GetEntry("base_model.model.layer.0.query.shira_indices");
        Assert.AreEqual("F32", values.DType);
        Assert.AreEqual("I32", indices.DType);
        CollectionAssert.AreEqual(new[] { 2L, values.Shape[0] }, indices.Shape);
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "adapter_config.json")));
        Assert.AreEqual("SHIRA", config.RootElement.GetProperty("peft_type").GetString());
        Assert.AreEqual("snip", config.RootElement.GetProperty("mask_type").GetString());
        Assert.IsFalse(config.RootElement.GetProperty("fan_in_fan_out").GetBoolean());
        Assert.AreEqual("SEQ_CLS", config.RootElement.GetProperty("task_type").GetString());

        var loaded = PeftShiraAdapterFile.Load(dir);
        Assert.AreEqual("sst2", loaded.Name);
        Assert.AreEqual(adapter.Metadata with { LibraryVersion = loaded.Metadata.LibraryVersion, TargetModules = loaded.Metadata.TargetModules }, loaded.Metadata);
        CollectionAssert.AreEqual(adapter.Metadata.TargetModules.ToArray(), loaded.Metadata.TargetModules.ToArray());
        foreach (var layer in adapter.Layers.Values)
        {
            var other = loaded.Layers[layer.ModulePath];
            CollectionAssert.AreEqual(layer.Rows, other.Rows);
            CollectionAssert.AreEqual(layer.Columns, other.Columns);
            CollectionAssert.AreEqual(layer.Values, other.Values);
            Assert.AreEqual(layer.OutFeatures, other.OutFeatures);
        }
    }

    [TestMethod]
    public void ReadsPythonStyleFileWithFloatIndicesUsingModelShapes()
    {
        // As PEFT writes on Windows: float32 indices, no shira.* metadata; shapes come from the base model.
        var model = new TinyTransformer();
        string dir = TestPaths.NewTempDirectory();
        var tensors = new Dictionary<string, Tensor>
        {
            ["base_model.model.layer.0.key.shira_weight"] = tensor(new[] { 0.5f, -1f }),
            ["base_model.model.layer.0.key.shira_indices"] = tensor(new[] { 0f, 3f, 1f, 31f }).view(2, 2),
        };
        SafetensorsWriter.Write(Path.Combine(dir, "adapter_model.safetensors"), tensors);
        File.WriteAllText(Path.Combine(dir, "adapter_config.json"), """{"peft_type":"SHIRA","r":1,"mask_type":"random","random_seed":42,"target_modules":["key"]}""");

        Assert.ThrowsExactly<ShiraFormatException>(() => PeftShiraAdapterFile.Load(dir));
        var adapter = PeftShiraAdapterFile.Load(dir, model, "py");
        var layer = adapter.Layers["layer.0.key"];
        CollectionAssert.AreEqual(new[] { 0, 3 }, layer.Rows);
        CollectionAssert.AreEqual(new[] { 1, 31 }, layer.Columns);
        Assert.AreEqual(MaskType.Random, adapter.Metadata.MaskType);
        Assert.AreEqual(42, adapter.Metadata.Seed);
    }

    [TestMethod]
    public void CorruptFilesGetErrorsNamingFileAndTensor()
    {
        string dir = TestPaths.NewTempDirectory();
        PeftShiraAdapterFile.Save(Sample(), dir);
        string weights = Path.Combine(dir, "adapter_model.safetensors");
        byte[] bytes = File.ReadAllBytes(weights);

        File.WriteAllBytes(weights, bytes[..(bytes.Length / 2)]);
        var truncated = Assert.ThrowsExactly<ShiraFormatException>(() => PeftShiraAdapterFile.Load(dir));
        StringAssert.Contains(truncated.Message, "adapter_model.safetensors");
        StringAssert.Contains(truncated.Message, "shira_");

        var tensors = new Dictionary<string, Tensor>
        {
            ["base_model.model.l.shira_weight"] = tensor(new[] { 1f, 2f }),
            ["base_model.model.l.shira_indices"] = tensor(new[] { 0, 1, 2 }).view(1, 3),
        };
        SafetensorsWriter.Write(weights, tensors, new Dictionary<string, string> { ["shira.shapes"] = """{"l":[4,4]}""" });
        var shape = Assert.ThrowsExactly<ShiraFormatException>(() => PeftShiraAdapterFile.Load(dir));
        StringAssert.Contains(shape.Message, "base_model.model.l.shira_indices");

        tensors["base_model.model.l.shira_indices"] = tensor(new[] { 0, 9, 1, 1 }).view(2, 2);
        SafetensorsWriter.Write(weights, tensors, new Dictionary<string, string> { ["shira.shapes"] = """{"l":[4,4]}""" });
        var range = Assert.ThrowsExactly<ShiraFormatException>(() => PeftShiraAdapterFile.Load(dir));
        StringAssert.Contains(range.Message, "outside the weight shape");

        File.WriteAllText(Path.Combine(dir, "adapter_config.json"), """{"peft_type":"LORA"}""");
        StringAssert.Contains(Assert.ThrowsExactly<ShiraFormatException>(() => PeftShiraAdapterFile.Load(dir)).Message, "LORA");
        File.Delete(Path.Combine(dir, "adapter_config.json"));
        Assert.ThrowsExactly<FileNotFoundException>(() => PeftShiraAdapterFile.Load(dir));
    }
}
