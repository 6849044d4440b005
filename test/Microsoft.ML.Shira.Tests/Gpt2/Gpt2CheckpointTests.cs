using System.Text.Json.Nodes;
using Microsoft.ML.Shira.Checkpoints.HuggingFace;
using Microsoft.ML.Shira.IO.Safetensors;
using Microsoft.ML.Shira.Models;
using Microsoft.ML.Shira.Models.Gpt2;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Tests.Gpt2;

[TestClass]
public sealed class Gpt2CheckpointTests
{
    [TestMethod]
    public void LoadsWithHuggingFaceNamesAndLinearLayout()
    {
        using var checkpoint = Gpt2TestCheckpoint.Create();
        using var model = HuggingFaceLoader.Load<Gpt2LMHeadModel>(checkpoint.Directory);

        var modules = model.named_modules().Select(m => m.name).ToHashSet();
        foreach (string name in new[]
        {
            "transformer", "transformer.wte", "transformer.wpe", "transformer.h.1", "transformer.h.1.ln_1", "transformer.h.1.attn",
            "transformer.h.1.attn.c_attn", "transformer.h.1.attn.c_proj", "transformer.h.1.ln_2", "transformer.h.1.mlp.c_fc",
            "transformer.h.1.mlp.c_proj", "transformer.ln_f", "lm_head",
        })
        {
            Assert.Contains(name, modules);
        }
        Assert.IsInstanceOfType<TiedLinear>(model.LmHead);
        Assert.IsInstanceOfType<Linear>(model.Transformer.H[0].Attn.CAttn);
        Assert.IsEmpty(model.named_buffers());
        Assert.IsFalse(model.training, "loaded in evaluation mode, as from_pretrained does");

        var state = model.state_dict();
        CollectionAssert.AreEquivalent(checkpoint.Tensors.Keys.ToArray(), state.Keys.ToArray(), "no lm_head.weight: tied");
        foreach (var (name, stored) in checkpoint.Tensors)
        {
            bool conv1D = model.FanInFanOutModules.Contains(name[..name.LastIndexOf('.')]) && name.EndsWith(".weight", StringComparison.Ordinal);
            using var expected = conv1D ? stored.t().contiguous() : stored.alias();
            CollectionAssert.AreEqual(expected.shape, state[name].shape, name);
            Assert.IsTrue(expected.equal(state[name]).all().item<bool>(), name);
        }
        CollectionAssert.AreEqual(new long[] { 3 * Gpt2TestCheckpoint.Embed, Gpt2TestCheckpoint.Embed }, state["transformer.h.0.attn.c_attn.weight"].shape);
        CollectionAssert.AreEqual(new long[] { Gpt2TestCheckpoint.Embed, Gpt2TestCheckpoint.Inner }, state["transformer.h.0.mlp.c_proj.weight"].shape);
        Assert.HasCount(4 * Gpt2TestCheckpoint.Layers, model.FanInFanOutModules);
        Assert.AreEqual(Gpt2TestCheckpoint.Positions, model.MaxPositionEmbeddings);
        Assert.AreEqual("gelu_new", model.Config.ActivationFunction);
    }

    [TestMethod]
    public void ForwardMatchesReferenceComputation()
    {
        using var checkpoint = Gpt2TestCheckpoint.Create();
        using var model = HuggingFaceLoader.Load<Gpt2LMHeadModel>(checkpoint.Directory);
        model.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        long[] ids = { 5, 17, 63, 0, 42, 42, 8, 31, 2, 60, 11 };
        var logits = model.Forward(tensor(ids).unsqueeze(0))[0];
        var expected = Gpt2Reference.Logits(checkpoint.Tensors, ids);
        CollectionAssert.AreEqual(expected.shape, logits.shape);
        double diff = (logits.to(ScalarType.Float64) - expected).abs().max().item<double>();
        Assert.IsLessThanOrEqualTo(1e-5, diff, $"max abs diff {diff}");
        Assert.IsGreaterThan(1.0, expected.abs().max().item<double>(), "the reference logits are not trivially small");
    }

    [TestMethod]
    public void ExportThenLoadIsBitIdenticalAndKeepsConv1DLayout()
    {
        using var checkpoint = Gpt2TestCheckpoint.Create();
        using var model = HuggingFaceLoader.Load<Gpt2LMHeadModel>(checkpoint.Directory);
        string dir = TestPaths.NewTempDirectory();
        HuggingFaceExporter.Save(model, dir);

        var file = SafetensorsFile.Open(Path.Combine(dir, "model.safetensors"));
        CollectionAssert.AreEquivalent(checkpoint.Tensors.Keys.ToArray(), file.Entries.Keys.ToArray());
        foreach (var (name, stored) in checkpoint.Tensors)
        {
            using var written = file.GetTensor(name);
            CollectionAssert.AreEqual(stored.bytes.ToArray(), written.bytes.ToArray(), $"{name} is written as Hugging Face stores it");
        }

        using var reloaded = HuggingFaceLoader.Load<Gpt2LMHeadModel>(dir);
        var state = model.state_dict();
        var reloadedState = reloaded.state_dict();
        foreach (var (name, tensor) in state)
            CollectionAssert.AreEqual(tensor.bytes.ToArray(), reloadedState[name].bytes.ToArray(), name);
        Assert.AreEqual(model.Config.ToJson(), reloaded.Config.ToJson());
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "config.json")))!;
        Assert.AreEqual("gpt2", json["model_type"]!.GetValue<string>());
        Assert.AreEqual(Gpt2TestCheckpoint.Positions, json["n_ctx"]!.GetValue<int>(), "unknown keys are kept");
    }

    [TestMethod]
    public void OriginalStyleCheckpointWithoutPrefixAndWithMaskBuffersLoads()
    {
        using var prefixed = Gpt2TestCheckpoint.Create(seed: 3);
        using var bare = Gpt2TestCheckpoint.Create(seed: 3, bareNames: true);
        Assert.IsTrue(SafetensorsFile.Open(Path.Combine(bare.Directory, "model.safetensors")).Contains("h.0.attn.bias"));
        using var a = HuggingFaceLoader.Load<Gpt2LMHeadModel>(prefixed.Directory);
        using var b = HuggingFaceLoader.Load<Gpt2LMHeadModel>(bare.Directory);
        var sa = a.state_dict();
        foreach (var (name, tensor) in b.state_dict())
            Assert.IsTrue(tensor.equal(sa[name]).all().item<bool>(), name);
    }

    [TestMethod]
    public void UntiedHeadAndOtherActivationRoundTrip()
    {
        var config = new Gpt2Config
        {
            VocabSize = 50, NPositions = 16, NEmbd = 24, NLayer = 3, NHead = 3, NInner = 40, ActivationFunction = "relu",
            TieWordEmbeddings = false, ScaleAttnByInverseLayerIdx = true,
        };
        using var model = new Gpt2LMHeadModel(config);
        Assert.IsInstanceOfType<Linear>(model.LmHead);
        string dir = TestPaths.NewTempDirectory();
        HuggingFaceExporter.Save(model, dir);
        var file = SafetensorsFile.Open(Path.Combine(dir, "model.safetensors"));
        CollectionAssert.AreEqual(new long[] { 24, 40 }, file.GetEntry("transformer.h.2.mlp.c_fc.weight").Shape, "Conv1D [in, out]");
        CollectionAssert.AreEqual(new long[] { 50, 24 }, file.GetEntry("lm_head.weight").Shape, "lm_head is a Linear [out, in]");

        using var reloaded = HuggingFaceLoader.Load<Gpt2LMHeadModel>(dir);
        Assert.AreEqual(config.NInner, reloaded.Config.NInner);
        Assert.IsTrue(reloaded.Config.ScaleAttnByInverseLayerIdx);
        model.eval();
        reloaded.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var ids = tensor(new long[] { 1, 5, 9, 33, 49 }).unsqueeze(0);
        Assert.IsTrue(model.Forward(ids).equal(reloaded.Forward(ids)).all().item<bool>());
    }

    [TestMethod]
    public void Gpt2IsRegisteredForLoaderAndPretrainedDecoders()
    {
        CollectionAssert.Contains(HuggingFaceArchitectures.ModelTypes.ToArray(), "gpt2");
        using var checkpoint = Gpt2TestCheckpoint.Create();
        using var model = HuggingFaceLoader.Load(checkpoint.Directory);
        Assert.IsInstanceOfType<Gpt2LMHeadModel>(model);
        Assert.IsInstanceOfType<ICausalLanguageModel>(model);
    }

    [TestMethod]
    public void ClearErrorsForBadConfigAndTransposedShapes()
    {
        using (var checkpoint = Gpt2TestCheckpoint.Create(editConfig: c => c["activation_function"] = "mish"))
        {
            var ex = Assert.ThrowsExactly<ShiraFormatException>(() => HuggingFaceLoader.Load(checkpoint.Directory));
            StringAssert.Contains(ex.Message, Path.Combine(checkpoint.Directory, "config.json"));
            StringAssert.Contains(ex.Message, "activation_function");
            StringAssert.Contains(ex.Message, "gelu_new");
        }
        using (var checkpoint = Gpt2TestCheckpoint.Create(editConfig: c => c["n_head"] = 5))
        {
            var ex = Assert.ThrowsExactly<ShiraFormatException>(() => HuggingFaceLoader.Load(checkpoint.Directory));
            StringAssert.Contains(ex.Message, "n_head");
        }
        using (var checkpoint = Gpt2TestCheckpoint.Create())
        {
            // A Conv1D weight written as [out, in] (e.g. by a converter that forgot the transpose).
            string path = Path.Combine(checkpoint.Directory, "model.safetensors");
            var tensors = checkpoint.Tensors.ToDictionary(p => p.Key, p => p.Value);
            using var wrong = checkpoint.Tensors["transformer.h.1.attn.c_attn.weight"].t().contiguous();
            tensors["transformer.h.1.attn.c_attn.weight"] = wrong;
            SafetensorsWriter.Write(path, tensors);
            var ex = Assert.ThrowsExactly<ShiraFormatException>(() => HuggingFaceLoader.Load(checkpoint.Directory));
            StringAssert.Contains(ex.Message, "transformer.h.1.attn.c_attn.weight");
            StringAssert.Contains(ex.Message, "[96, 32]");
            StringAssert.Contains(ex.Message, "expects [32, 96]");
            StringAssert.Contains(ex.Message, "Conv1D");
        }
    }
}
