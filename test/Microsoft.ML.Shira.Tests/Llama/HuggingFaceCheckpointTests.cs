using System.Text.Json.Nodes;
using Microsoft.ML.Shira.Checkpoints.HuggingFace;
using Microsoft.ML.Shira.IO.HuggingFace;
using Microsoft.ML.Shira.IO.Safetensors;
using Microsoft.ML.Shira.Models;
using Microsoft.ML.Shira.Models.Llama;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Tests.Llama;

[TestClass]
public sealed class HuggingFaceCheckpointTests
{
    [TestMethod]
    public void LoadsEveryTensorOfTheCheckpoint()
    {
        using var model = Stories260KData.LoadModel();
        var original = Stories260KData.ReadStateDict();
        var state = model.state_dict();
        Assert.HasCount(47, state);
        CollectionAssert.AreEquivalent(original.Keys.ToArray(), state.Keys.ToArray());
        foreach (var (name, tensor) in original)
            CollectionAssert.AreEqual(tensor.bytes.ToArray(), state[name].bytes.ToArray(), name);
        Assert.IsInstanceOfType<Models.TiedLinear>(model.LmHead);
        Assert.AreEqual(260_032L, model.parameters().Sum(p => p.numel()));
        DisposeAll(original);
    }

    [TestMethod]
    public void ExportThenLoadIsBitIdentical()
    {
        using var model = Stories260KData.LoadModel();
        string dir = TestPaths.NewTempDirectory();
        HuggingFaceExporter.Save(model, dir);

        CollectionAssert.AreEquivalent(new[] { "config.json", "model.safetensors" }, Directory.GetFiles(dir).Select(Path.GetFileName).ToArray());
        var file = SafetensorsFile.Open(Path.Combine(dir, "model.safetensors"));
        Assert.HasCount(47, file.Entries);
        Assert.IsFalse(file.Contains("lm_head.weight"), "tied weights are written once");
        Assert.AreEqual("pt", file.Metadata["format"]);

        using var reloaded = HuggingFaceLoader.Load<LlamaForCausalLM>(dir);
        var original = Stories260KData.ReadStateDict();
        var state = reloaded.state_dict();
        Assert.HasCount(original.Count, state);
        foreach (var (name, tensor) in original)
            CollectionAssert.AreEqual(tensor.bytes.ToArray(), state[name].bytes.ToArray(), name);
        Assert.AreEqual(model.Config.ToJson(), reloaded.Config.ToJson());
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "config.json")))!;
        Assert.AreEqual("llama", json["model_type"]!.GetValue<string>());
        Assert.IsTrue(json["tie_word_embeddings"]!.GetValue<bool>());
        Assert.AreEqual(1, json["pretraining_tp"]!.GetValue<int>(), "unknown keys are kept");
        DisposeAll(original);
    }

    [TestMethod]
    public void UntiedModelWithBiasesRoundTrips()
    {
        var config = new LlamaConfig
        {
            VocabSize = 40, HiddenSize = 16, IntermediateSize = 24, NumHiddenLayers = 2, NumAttentionHeads = 4, NumKeyValueHeads = 2,
            MaxPositionEmbeddings = 32, TieWordEmbeddings = false, AttentionBias = true, MlpBias = true,
            RopeScaling = new LlamaRopeScaling("llama3", 8.0, OriginalMaxPositionEmbeddings: 16),
        };
        using var model = new LlamaForCausalLM(config);
        string dir = TestPaths.NewTempDirectory();
        HuggingFaceExporter.Save(model, dir);
        using var reloaded = HuggingFaceLoader.Load<LlamaForCausalLM>(dir);

        var state = model.state_dict();
        Assert.IsTrue(state.ContainsKey("lm_head.weight"));
        Assert.IsTrue(state.ContainsKey("model.layers.1.self_attn.q_proj.bias"));
        Assert.IsTrue(state.ContainsKey("model.layers.1.mlp.down_proj.bias"));
        var reloadedState = reloaded.state_dict();
        CollectionAssert.AreEquivalent(state.Keys.ToArray(), reloadedState.Keys.ToArray());
        foreach (var (name, tensor) in state)
            CollectionAssert.AreEqual(tensor.bytes.ToArray(), reloadedState[name].bytes.ToArray(), name);
        Assert.AreEqual(config.RopeScaling, reloaded.Config.RopeScaling);

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var ids = tensor(new long[] { 1, 5, 9, 33 }).unsqueeze(0);
        Assert.IsTrue(model.Forward(ids).equal(reloaded.Forward(ids)).all().item<bool>());
    }

    [TestMethod]
    public void ShardedIndexLoads()
    {
        string dir = Stories260KData.CopyToTemp(includeWeights: false);
        var original = Stories260KData.ReadStateDict();
        var names = original.Keys.Order(StringComparer.Ordinal).ToList();
        var shards = new[] { names.Take(20).ToList(), names.Skip(20).ToList() };
        var weightMap = new JsonObject();
        for (int s = 0; s < 2; s++)
        {
            string shardName = $"model-0000{s + 1}-of-00002.safetensors";
            SafetensorsWriter.Write(Path.Combine(dir, shardName), shards[s].Select(n => KeyValuePair.Create(n, original[n])), new Dictionary<string, string> { ["format"] = "pt" });
            foreach (string name in shards[s])
                weightMap[name] = shardName;
        }
        var index = new JsonObject { ["metadata"] = new JsonObject { ["total_size"] = 1_040_128 }, ["weight_map"] = weightMap };
        File.WriteAllText(Path.Combine(dir, "model.safetensors.index.json"), index.ToJsonString());

        using var model = HuggingFaceLoader.Load<LlamaForCausalLM>(dir);
        var state = model.state_dict();
        foreach (var (name, tensor) in original)
            CollectionAssert.AreEqual(tensor.bytes.ToArray(), state[name].bytes.ToArray(), name);
        DisposeAll(original);
    }

    [TestMethod]
    [DataRow(ScalarType.Float16, 1e-3)]
    [DataRow(ScalarType.BFloat16, 8e-3)]
    public void HalfPrecisionCheckpointsLoad(ScalarType stored, double relativeTolerance)
    {
        string dir = Stories260KData.CopyToTemp(includeWeights: false);
        var original = Stories260KData.ReadStateDict();
        var converted = original.ToDictionary(p => p.Key, p => p.Value.to(stored));
        SafetensorsWriter.Write(Path.Combine(dir, "model.safetensors"), converted);

        using (var model = HuggingFaceLoader.Load<LlamaForCausalLM>(dir))
        {
            Assert.AreEqual(ScalarType.Float32, model.DType);
            var state = model.state_dict();
            foreach (var (name, tensor) in original)
            {
                using var exact = converted[name].to(ScalarType.Float32);
                CollectionAssert.AreEqual(exact.bytes.ToArray(), state[name].bytes.ToArray(), $"{name}: exact {stored} → F32 conversion");
                Assert.IsTrue(state[name].allclose(tensor, rtol: relativeTolerance, atol: 1e-4), $"{name} within {stored} tolerance");
            }
        }

        using (var model = HuggingFaceLoader.Load<LlamaForCausalLM>(dir, new HuggingFaceLoadOptions { DType = stored }))
        {
            Assert.AreEqual(stored, model.DType);
            var state = model.state_dict();
            foreach (var (name, tensor) in converted)
                CollectionAssert.AreEqual(tensor.bytes.ToArray(), state[name].bytes.ToArray(), name);
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var logits = model.Forward(tensor(new long[] { 1, 403, 407, 261, 378 }).unsqueeze(0), lastPositionOnly: true);
            Assert.AreEqual(stored, logits.dtype);
            Assert.AreEqual(432L, logits[0, 0].argmax().item<long>(), "first greedy token survives half precision");
        }
        DisposeAll(original);
        DisposeAll(converted);
    }

    [TestMethod]
    public void LlamaIsRegisteredAndTheRegistryIsExtensible()
    {
        CollectionAssert.Contains(HuggingFaceArchitectures.ModelTypes.ToArray(), "llama");
        HuggingFaceArchitectures.Register(new RenamedLlama());
        Assert.IsTrue(HuggingFaceArchitectures.TryGet("llama-test-alias", out var architecture));

        string dir = Stories260KData.CopyToTemp();
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "config.json")))!;
        json["model_type"] = "llama-test-alias";
        File.WriteAllText(Path.Combine(dir, "config.json"), json.ToJsonString());
        using var model = HuggingFaceLoader.Load(dir);
        Assert.IsInstanceOfType<LlamaForCausalLM>(model);
        Assert.IsInstanceOfType<RenamedLlama>(architecture);
    }

    private static void DisposeAll(Dictionary<string, Tensor> tensors)
    {
        foreach (var tensor in tensors.Values)
            tensor.Dispose();
    }

    /// <summary>An architecture registered under another model_type (shows the extension point).</summary>
    private sealed class RenamedLlama : IHuggingFaceArchitecture
    {
        public string ModelType => "llama-test-alias";

        public IHuggingFaceModel Create(HuggingFaceConfig config, IReadOnlyCollection<string> checkpointTensors, ScalarType dtype, Device? device)
        {
            var json = (JsonObject)config.Json.DeepClone();
            json["model_type"] = "llama";
            return new LlamaForCausalLM(LlamaConfig.FromJson(json.ToJsonString(), config.Source), dtype, device);
        }
    }
}
