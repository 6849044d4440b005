using Microsoft.ML.Shira.Adapters.Injection;
using Microsoft.ML.Shira.Checkpoints.HuggingFace;
using Microsoft.ML.Shira.Checkpoints.Peft;
using Microsoft.ML.Shira.IO.HuggingFace;
using Microsoft.ML.Shira.IO.Safetensors;
using Microsoft.ML.Shira.Masks;
using Microsoft.ML.Shira.Models.Llama;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Tests.Llama;

/// <summary>
/// Mistral, Qwen2, Qwen3, Gemma and Phi-3 checkpoints (data/arch-refs, written by transformers) run on the LLaMA implementation; beyond the
/// reference outputs (Checkpoints/ArchitectureReferenceTests): cached decoding, SHiRA training, PEFT files and fused
/// export work for them as for LLaMA, and configs that need what the layout lacks are refused by name.
/// </summary>
[TestClass]
public sealed class LlamaFamilyTests
{
    private static string Base(string folder) => Path.Combine(TestPaths.Data, "arch-refs", folder, "base");

    [TestMethod]
    [DataRow("mistral")]
    [DataRow("qwen2")]
    [DataRow("qwen3")]
    [DataRow("gemma")]
    [DataRow("phi3")]
    public void CachedDecodingEqualsTheFullForward(string folder)
    {
        using var model = HuggingFaceLoader.Load<LlamaForCausalLM>(Base(folder));
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var ids = SafetensorsFile.Open(Path.Combine(TestPaths.Data, "arch-refs", folder, "references.safetensors")).GetTensor("input_ids")[0].unsqueeze(0);
        var full = model.Forward(ids);
        using var cache = (LlamaKVCache)model.CreateCache();
        var steps = new List<Tensor> { model.Forward(ids.narrow(1, 0, 5), cache: cache) };
        for (long position = 5; position < ids.shape[1]; position++)
            steps.Add(model.Forward(ids.narrow(1, position, 1), cache: cache));
        Assert.IsLessThan(1e-5, (full - cat(steps, 1)).abs().max().item<float>());
    }

    [TestMethod]
    [DataRow("mistral", "MistralForCausalLM")]
    [DataRow("qwen2", "Qwen2ForCausalLM")]
    [DataRow("qwen3", "Qwen3ForCausalLM")]
    [DataRow("gemma", "GemmaForCausalLM")]
    [DataRow("phi3", "Phi3ForCausalLM")]
    public void ShiraTrainsAndItsPeftFileAndFusedExportRoundTrip(string folder, string architecture)
    {
        using var model = HuggingFaceLoader.Load<LlamaForCausalLM>(Base(folder));
        using var scope = NewDisposeScope();
        var ids = SafetensorsFile.Open(Path.Combine(TestPaths.Data, "arch-refs", folder, "references.safetensors")).GetTensor("input_ids");
        var injection = ShiraInjector.Inject(model, new ShiraInjectionOptions
        {
            TargetModules = ["q_proj", "k_proj", "v_proj", "qkv_proj", "o_proj", "gate_proj", "up_proj", "gate_up_proj", "down_proj"],
            Budget = ShiraBudget.FromRank(2),
        }, new RandomMask(seed: 1));
        using var optimizer = optim.AdamW(injection.Parameters(), lr: 1e-2);
        double first = 0, last = 0;
        for (int step = 0; step < 20; step++)
        {
            using var stepScope = NewDisposeScope();
            optimizer.zero_grad();
            var logits = model.Forward(ids);
            var loss = nn.functional.cross_entropy(logits[.., ..^1].reshape(-1, logits.shape[^1]), ids[.., 1..].reshape(-1));
            loss.backward();
            optimizer.step();
            (first, last) = step == 0 ? (loss.item<float>(), 0) : (first, loss.item<float>());
        }
        Assert.IsLessThan(first, last, "Training on the ids lowers their loss.");

        var adapter = injection.ToAdapter("trained", baseModelName: folder);
        using var noGrad = no_grad();
        var adapted = model.Forward(ids);
        injection.MergeAndUnload();

        // PEFT file: written and read back with the base model, the same values at the same places.
        string directory = TestPaths.NewTempDirectory();
        try
        {
            PeftShiraAdapterFile.Save(adapter, Path.Combine(directory, "adapter"));
            using var fresh = HuggingFaceLoader.Load<LlamaForCausalLM>(Base(folder));
            var loaded = PeftShiraAdapterFile.Load(Path.Combine(directory, "adapter"), fresh, "loaded");
            Assert.AreEqual(adapter.ParameterCount, loaded.ParameterCount);
            foreach (var layer in adapter.Layers.Values)
                CollectionAssert.AreEqual(layer.Values, loaded.Layers[layer.ModulePath].Values, layer.ModulePath);

            // Fused export: transformers' layout and class name, reloaded bit for bit, same outputs as the adapted model.
            HuggingFaceExporter.Save(model, Path.Combine(directory, "fused"));
            var config = HuggingFaceConfig.Parse(File.ReadAllText(Path.Combine(directory, "fused", "config.json")), "config.json");
            Assert.AreEqual(folder, config.ModelType);
            StringAssert.Contains(File.ReadAllText(Path.Combine(directory, "fused", "config.json")), architecture);
            using var reloaded = HuggingFaceLoader.Load<LlamaForCausalLM>(Path.Combine(directory, "fused"));
            var expected = model.state_dict();
            foreach (var (name, tensor) in reloaded.state_dict())
                CollectionAssert.AreEqual(expected[name].bytes.ToArray(), tensor.bytes.ToArray(), name);
            Assert.IsTrue(reloaded.Forward(ids).allclose(adapted, rtol: 0, atol: 1e-5));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [TestMethod]
    public void SlidingWindowConfigsAreRefusedByName()
    {
        string mistral = File.ReadAllText(Path.Combine(Base("mistral"), "config.json")).Replace("\"sliding_window\": null", "\"sliding_window\": 64", StringComparison.Ordinal);
        var error = Assert.ThrowsExactly<ShiraFormatException>(() => LlamaConfig.FromJson(mistral));
        StringAssert.Contains(error.Message, "sliding_window");
        string qwen = File.ReadAllText(Path.Combine(Base("qwen2"), "config.json")).Replace("\"use_sliding_window\": false", "\"use_sliding_window\": true", StringComparison.Ordinal);
        error = Assert.ThrowsExactly<ShiraFormatException>(() => LlamaConfig.FromJson(qwen));
        StringAssert.Contains(error.Message, "use_sliding_window");
        // A window as long as the model's positions changes nothing and is accepted.
        Assert.AreEqual("mistral", LlamaConfig.FromJson(mistral.Replace("\"sliding_window\": 64", "\"sliding_window\": 128", StringComparison.Ordinal)).Type);
    }
}
