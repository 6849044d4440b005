using System.Reflection;
using Microsoft.ML.Shira.BaseModels;
using Microsoft.ML.Shira.Models.Llama;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Tests.Llama;

[TestClass]
public sealed class LlamaModuleStructureTests
{
    [TestMethod]
    public void ModulesHaveHuggingFaceNames()
    {
        using var model = Stories260KData.LoadModel();
        var names = model.named_modules().Select(m => m.name).ToHashSet();
        foreach (string name in new[]
        {
            "model", "model.embed_tokens", "model.layers", "model.layers.4", "model.layers.4.self_attn.q_proj", "model.layers.4.self_attn.k_proj",
            "model.layers.4.self_attn.v_proj", "model.layers.4.self_attn.o_proj", "model.layers.4.mlp.gate_proj", "model.layers.4.mlp.up_proj",
            "model.layers.4.mlp.down_proj", "model.layers.4.input_layernorm", "model.layers.4.post_attention_layernorm", "model.norm", "lm_head",
        })
        {
            Assert.Contains(name, names);
        }
        Assert.IsFalse(model.named_parameters().Any(p => p.name.StartsWith("lm_head", StringComparison.Ordinal)), "tied head owns no parameter");
        Assert.IsEmpty(model.named_buffers());
    }

    [TestMethod]
    public void ResourcesHaveStableNames()
    {
        var resources = typeof(PretrainedDecoders).Assembly.GetManifestResourceNames();
        foreach (string file in new[] { "config.json", "model.safetensors", "tokenizer.model", "tokenizer_config.json", "generation_config.json" })
            Assert.Contains(PretrainedDecoders.Stories260KResourcePrefix + file, resources);
    }

    [TestMethod]
    public void AdapterCanReplaceProjectionsByReflection()
    {
        using var model = Stories260KData.LoadModel();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var ids = tensor(Stories260KData.ReferenceCases[0].SequenceIds.Take(12).Select(i => (long)i).ToArray()).unsqueeze(0);
        var before = model.Forward(ids);

        var wrappers = new List<CountingWrapper>();
        foreach (var (_, module) in model.named_modules().ToList())
        {
            foreach (var field in module.GetType().GetFields(BindingFlags.Instance | BindingFlags.NonPublic))
            {
                if (field.FieldType != typeof(nn.Module<Tensor, Tensor>) || field.GetValue(module) is not Linear linear)
                    continue;
                var wrapper = new CountingWrapper(linear);
                field.SetValue(module, wrapper);
                module.register_module(field.Name, null!);
                module.register_module(field.Name, wrapper);
                wrappers.Add(wrapper);
            }
        }

        Assert.HasCount(5 * 7, wrappers);
        var after = model.Forward(ids);
        Assert.IsTrue(after.equal(before).all().item<bool>());
        Assert.IsTrue(wrappers.All(w => w.Calls == 1));
        Assert.Contains("model.layers.0.self_attn.q_proj.base_layer.weight", model.named_parameters().Select(p => p.name).ToList());
    }

    private sealed class CountingWrapper : nn.Module<Tensor, Tensor>
    {
#pragma warning disable IDE1006
        private readonly nn.Module<Tensor, Tensor> base_layer;
#pragma warning restore IDE1006

        public CountingWrapper(nn.Module<Tensor, Tensor> inner) : base(nameof(CountingWrapper))
        {
            base_layer = inner;
            RegisterComponents();
        }

        public int Calls { get; private set; }

        public override Tensor forward(Tensor input)
        {
            Calls++;
            return base_layer.call(input);
        }
    }
}
