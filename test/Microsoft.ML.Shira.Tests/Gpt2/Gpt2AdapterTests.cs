using System.Text.Json;
using Microsoft.ML.Shira.Adapters;
using Microsoft.ML.Shira.Adapters.Injection;
using Microsoft.ML.Shira.Adapters.Layers;
using Microsoft.ML.Shira.Adapters.Switching;
using Microsoft.ML.Shira.Checkpoints.HuggingFace;
using Microsoft.ML.Shira.Checkpoints.Peft;
using Microsoft.ML.Shira.IO.Safetensors;
using Microsoft.ML.Shira.Masks;
using Microsoft.ML.Shira.Models.Gpt2;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Tests.Gpt2;

[TestClass]
public sealed class Gpt2AdapterTests
{
    [TestMethod]
    public void ShiraInjectionByTargetNamesWrapsConv1DProjections()
    {
        using var checkpoint = Gpt2TestCheckpoint.Create();
        using var model = HuggingFaceLoader.Load<Gpt2LMHeadModel>(checkpoint.Directory);
        model.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var ids = tensor(new long[] { 3, 1, 4, 1, 5, 9, 2, 6 }).unsqueeze(0);
        var before = model.Forward(ids);
        var keys = model.state_dict().Keys.ToHashSet();

        var injection = ShiraInjector.Inject(model, new ShiraInjectionOptions { TargetModules = { "c_attn", "c_proj" } }, new RandomMask(1));
        CollectionAssert.AreEquivalent(
            new[] { "transformer.h.0.attn.c_attn", "transformer.h.0.attn.c_proj", "transformer.h.0.mlp.c_proj",
                    "transformer.h.1.attn.c_attn", "transformer.h.1.attn.c_proj", "transformer.h.1.mlp.c_proj" },
            injection.Layers.Select(l => l.ModulePath).ToArray());
        Assert.IsInstanceOfType<ShiraLinear>(model.Transformer.H[1].Attn.CAttn);
        Assert.IsInstanceOfType<ShiraLinear>(model.Transformer.H[1].Mlp.CProj);
        var cAttn = (ShiraLinear)model.Transformer.H[0].Attn.CAttn;
        Assert.AreEqual(Gpt2TestCheckpoint.Embed, cAttn.InFeatures);
        Assert.AreEqual(3 * Gpt2TestCheckpoint.Embed, cAttn.OutFeatures);
        Assert.IsTrue(model.Forward(ids).equal(before).all().item<bool>(), "zero-initialized adapter leaves the output unchanged");
        Assert.IsTrue(keys.IsSubsetOf(model.state_dict().Keys), "base weights keep their Hugging Face names");
        Assert.IsTrue(model.parameters().Where(p => p.requires_grad).All(p => injection.Parameters().Any(v => ReferenceEquals(v, p))));

        foreach (var layer in injection.Layers)
            layer.Layer.Values.copy_(randn(layer.Layer.TrainableCount) * 0.5);
        Assert.IsFalse(model.Forward(ids).allclose(before, rtol: 0, atol: 1e-4), "the trained values change the output");
    }

    [TestMethod]
    public void LoraInjectionWrapsConv1DProjectionsLikeAnyLinear()
    {
        using var checkpoint = Gpt2TestCheckpoint.Create();
        using var model = HuggingFaceLoader.Load<Gpt2LMHeadModel>(checkpoint.Directory);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var ids = tensor(new long[] { 2, 7, 1, 8, 2, 8 }).unsqueeze(0);
        var before = model.Forward(ids);
        var layers = LinearInjector.Inject(model, new TargetModuleMatcher(new[] { "c_attn", "c_fc" }), (_, linear) => new LoraLinear(linear, rank: 2, alpha: 4));
        Assert.HasCount(2 * Gpt2TestCheckpoint.Layers, layers);
        Assert.IsInstanceOfType<LoraLinear>(model.Transformer.H[0].Mlp.CFc);
        Assert.IsTrue(model.Forward(ids).allclose(before, rtol: 0, atol: 1e-6), "LoRA starts as the identity update");
    }

    [TestMethod]
    public void PeftAdapterUsesConv1DLayoutAndRoundTripsThroughTheSwitcher()
    {
        using var checkpoint = Gpt2TestCheckpoint.Create();
        using var trained = HuggingFaceLoader.Load<Gpt2LMHeadModel>(checkpoint.Directory);
        var injection = ShiraInjector.Inject(trained, new ShiraInjectionOptions { TargetModules = { "c_attn", "c_proj", "c_fc" } }, new RandomMask(4));
        using (no_grad())
        {
            foreach (var layer in injection.Layers)
                layer.Layer.Values.copy_(randn(layer.Layer.TrainableCount));
        }
        var adapter = injection.ToAdapter("gpt2-sparse", taskType: "CAUSAL_LM");
        string dir = TestPaths.NewTempDirectory();
        PeftShiraAdapterFile.Save(adapter, dir, trained.FanInFanOutModules);

        using (var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, PeftShiraAdapterFile.ConfigFileName))))
            Assert.IsTrue(config.RootElement.GetProperty("fan_in_fan_out").GetBoolean());

        // The file addresses the Conv1D weight [in, out] exactly as Hugging Face stores it.
        var file = SafetensorsFile.Open(Path.Combine(dir, PeftShiraAdapterFile.WeightsFileName));
        var original = adapter.Layers["transformer.h.1.attn.c_attn"];
        using (var indices = file.GetTensor("base_model.model.transformer.h.1.attn.c_attn.shira_indices"))
        {
            using var i64 = indices.to(ScalarType.Int64);
            CollectionAssert.AreEqual(original.Columns.Select(c => (long)c).ToArray(), i64[0].data<long>().ToArray(), "first row: input index");
            CollectionAssert.AreEqual(original.Rows.Select(r => (long)r).ToArray(), i64[1].data<long>().ToArray(), "second row: output index");
        }

        using var target = HuggingFaceLoader.Load<Gpt2LMHeadModel>(checkpoint.Directory);
        var loaded = PeftShiraAdapterFile.Load(dir, target);
        CollectionAssert.AreEquivalent(adapter.Layers.Keys.ToArray(), loaded.Layers.Keys.ToArray());
        foreach (var layer in adapter.Layers.Values)
        {
            var other = loaded.Layers[layer.ModulePath];
            Assert.AreEqual(layer.OutFeatures, other.OutFeatures);
            Assert.AreEqual(layer.InFeatures, other.InFeatures);
            CollectionAssert.AreEqual(layer.Rows, other.Rows, layer.ModulePath);
            CollectionAssert.AreEqual(layer.Columns, other.Columns, layer.ModulePath);
            CollectionAssert.AreEqual(layer.Values, other.Values, layer.ModulePath);
        }

        // Applying the loaded adapter gives the weights applying the original gives, bit for bit.
        using var reference = HuggingFaceLoader.Load<Gpt2LMHeadModel>(checkpoint.Directory);
        using var switchLoaded = new FusedAdapterSwitcher(target);
        using var switchOriginal = new FusedAdapterSwitcher(reference);
        switchLoaded.Register(loaded);
        switchOriginal.Register(adapter);
        switchLoaded.Activate("gpt2-sparse");
        switchOriginal.Activate("gpt2-sparse");
        var expectedState = reference.state_dict();
        foreach (var (name, tensor) in target.state_dict())
            CollectionAssert.AreEqual(expectedState[name].bytes.ToArray(), tensor.bytes.ToArray(), name);

        // And in the Hugging Face layout: stored Conv1D weight + scatter of the file's (in, out) entries = exported fused weight.
        string exported = TestPaths.NewTempDirectory();
        HuggingFaceExporter.Save(target, exported);
        var fused = SafetensorsFile.Open(Path.Combine(exported, "model.safetensors"));
        using var scope = NewDisposeScope();
        var stored = checkpoint.Tensors["transformer.h.1.attn.c_attn.weight"].clone();
        var raw = file.GetTensor("base_model.model.transformer.h.1.attn.c_attn.shira_indices").to(ScalarType.Int64);
        var values = file.GetTensor("base_model.model.transformer.h.1.attn.c_attn.shira_weight");
        stored.index_put_(stored.index(raw[0], raw[1]) + values, raw[0], raw[1]);
        Assert.IsTrue(stored.equal(fused.GetTensor("transformer.h.1.attn.c_attn.weight")).all().item<bool>());

        switchLoaded.Deactivate();
        using var fresh = HuggingFaceLoader.Load<Gpt2LMHeadModel>(checkpoint.Directory);
        var baseState = fresh.state_dict();
        foreach (var (name, tensor) in target.state_dict())
            CollectionAssert.AreEqual(baseState[name].bytes.ToArray(), tensor.bytes.ToArray(), $"{name} restored");
    }

    [TestMethod]
    public void LinearAdaptersKeepThePlainLayout()
    {
        var layer = new SparseAdapterLayer("lm_like.dense", 4, 6, new[] { 0, 3 }, new[] { 5, 1 }, new[] { 0.5f, -1f });
        var adapter = new SparseAdapter("plain", new[] { layer });
        string dir = TestPaths.NewTempDirectory();
        PeftShiraAdapterFile.Save(adapter, dir, new HashSet<string> { "some.other.module" });
        using (var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, PeftShiraAdapterFile.ConfigFileName))))
            Assert.IsFalse(config.RootElement.GetProperty("fan_in_fan_out").GetBoolean());
        var file = SafetensorsFile.Open(Path.Combine(dir, PeftShiraAdapterFile.WeightsFileName));
        Assert.IsFalse(file.Metadata.ContainsKey("shira.fan_in_fan_out"));
        var loaded = PeftShiraAdapterFile.Load(dir).Layers["lm_like.dense"];
        CollectionAssert.AreEqual(layer.Rows, loaded.Rows);
        CollectionAssert.AreEqual(layer.Columns, loaded.Columns);
    }
}
