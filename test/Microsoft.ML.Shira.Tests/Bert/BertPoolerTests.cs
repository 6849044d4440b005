using System.Text.Json.Nodes;
using Microsoft.ML.Shira.Adapters.Switching;
using Microsoft.ML.Shira.Checkpoints.HuggingFace;
using Microsoft.ML.Shira.Checkpoints.Peft;
using Microsoft.ML.Shira.IO.Safetensors;
using Microsoft.ML.Shira.Models.Bert;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Tests.Bert;

/// <summary>
/// BERT's pooler (<c>pooler.dense</c>), on the transformers-written <c>BertModel</c> checkpoint of <c>data/arch-refs</c>:
/// loaded when the checkpoint has it, adaptable by a PEFT adapter whose <c>target_modules</c> include <c>dense</c>, and
/// a clear error when an adapter targets a pooler the checkpoint lacks.
/// </summary>
[TestClass]
public sealed class BertPoolerTests
{
    private static readonly string Fixture = Path.Combine(TestPaths.Data, "arch-refs", "bert-no-pooler-targets");

    [TestMethod]
    public void PoolerWeightsAreLoadedAndPoolTheFirstToken()
    {
        using var scope = NewDisposeScope();
        using var model = HuggingFaceLoader.Load<BertModel>(Path.Combine(Fixture, "base"));
        Assert.IsTrue(model.Config.AddPoolingLayer);
        var weights = SafetensorsFile.Open(Path.Combine(Fixture, "base", "model.safetensors"));
        var (ids, mask) = Inputs();
        var hidden = model.call(ids, mask, null);
        var expected = hidden[.., 0].matmul(weights.GetTensor("pooler.dense.weight").t()).add(weights.GetTensor("pooler.dense.bias")).tanh();
        Assert.IsTrue(model.Pool(hidden).allclose(expected, rtol: 0, atol: 1e-6));
    }

    [TestMethod]
    public void PeftAdapterTargetingDenseAdaptsThePooler()
    {
        using var scope = NewDisposeScope();
        string adapterDir = AdapterWithPooler(out var rows, out var columns, out var values);
        using var model = HuggingFaceLoader.Load<BertModel>(Path.Combine(Fixture, "base"));
        model.eval();
        var adapter = PeftShiraAdapterFile.Load(adapterDir, model, "with-pooler");
        Assert.IsTrue(adapter.Layers.ContainsKey("pooler.dense"));

        var poolerWeight = SafetensorsFile.Open(Path.Combine(Fixture, "base", "model.safetensors")).GetTensor("pooler.dense.weight");
        var poolerBias = SafetensorsFile.Open(Path.Combine(Fixture, "base", "model.safetensors")).GetTensor("pooler.dense.bias");
        var delta = zeros(64, 64);
        delta.index_put_(tensor(values), tensor(rows), tensor(columns));

        var (ids, mask) = Inputs();
        using var switcher = new FusedAdapterSwitcher(model);
        switcher.Register(adapter);
        switcher.Activate("with-pooler");
        var hidden = model.call(ids, mask, null);
        var expected = hidden[.., 0].matmul(poolerWeight.add(delta).t()).add(poolerBias).tanh();
        Assert.IsTrue(model.Pool(hidden).allclose(expected, rtol: 0, atol: 1e-5), "pooler.dense carries the adapter's sparse values.");

        switcher.Deactivate();
        var restored = model.Pool(model.call(ids, mask, null));
        var baseline = model.call(ids, mask, null)[.., 0].matmul(poolerWeight.t()).add(poolerBias).tanh();
        Assert.IsTrue(restored.allclose(baseline, rtol: 0, atol: 1e-6), "Switching the adapter off restores the pooler.");
    }

    [TestMethod]
    public void AdapterForAPoolerTheCheckpointLacksNamesTheLayer()
    {
        string adapterDir = AdapterWithPooler(out _, out _, out _);
        string baseDir = TestPaths.NewTempDirectory();
        File.Copy(Path.Combine(Fixture, "base", "config.json"), Path.Combine(baseDir, "config.json"));
        using (var scope = NewDisposeScope())
        {
            var weights = SafetensorsFile.Open(Path.Combine(Fixture, "base", "model.safetensors"));
            SafetensorsWriter.Write(Path.Combine(baseDir, "model.safetensors"),
                weights.Entries.Keys.Where(k => !k.StartsWith("pooler.", StringComparison.Ordinal))
                    .Select(k => KeyValuePair.Create(k, weights.GetTensor(k))).ToList());
        }
        using var model = HuggingFaceLoader.Load<BertModel>(baseDir);
        Assert.IsFalse(model.Config.AddPoolingLayer);
        var ex = Assert.ThrowsExactly<ShiraFormatException>(() => PeftShiraAdapterFile.Load(adapterDir, model, "with-pooler"));
        StringAssert.Contains(ex.Message, "'pooler.dense'");
        StringAssert.Contains(ex.Message, "does not have");
        Assert.ThrowsExactly<InvalidOperationException>(() => model.Pool(zeros(1, 2, 64)));
    }

    private static (Tensor Ids, Tensor Mask) Inputs()
    {
        var references = SafetensorsFile.Open(Path.Combine(Fixture, "references.safetensors"));
        return (references.GetTensor("input_ids"), references.GetTensor("attention_mask"));
    }

    /// <summary>
    /// The PEFT adapter of the fixture with <c>target_modules = ["query", "key", "value", "dense"]</c>, as a user would
    /// write it, and SHiRA entries for <c>pooler.dense</c> added in PEFT's layout (int32 indices <c>[2, k]</c>, values <c>[k]</c>).
    /// </summary>
    private static string AdapterWithPooler(out long[] rows, out long[] columns, out float[] values)
    {
        string dir = TestPaths.NewTempDirectory();
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(Fixture, "adapter", "adapter_config.json")))!.AsObject();
        config["target_modules"] = new JsonArray("query", "key", "value", "dense");
        File.WriteAllText(Path.Combine(dir, "adapter_config.json"), config.ToJsonString());

        var random = new Random(5);
        var picked = Enumerable.Range(0, 64 * 64).OrderBy(_ => random.Next()).Take(128).Order().ToArray();
        rows = picked.Select(i => (long)(i / 64)).ToArray();
        columns = picked.Select(i => (long)(i % 64)).ToArray();
        values = picked.Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        using var scope = NewDisposeScope();
        var original = SafetensorsFile.Open(Path.Combine(Fixture, "adapter", "adapter_model.safetensors"));
        var entries = original.Entries.Keys.Select(k => KeyValuePair.Create(k, original.GetTensor(k))).ToList();
        var indices = stack([tensor(rows), tensor(columns)]).to_type(ScalarType.Int32);
        entries.Add(KeyValuePair.Create("base_model.model.pooler.dense.shira_indices", indices));
        entries.Add(KeyValuePair.Create("base_model.model.pooler.dense.shira_weight", tensor(values)));
        SafetensorsWriter.Write(Path.Combine(dir, "adapter_model.safetensors"), entries, new Dictionary<string, string> { ["format"] = "pt" });
        return dir;
    }
}
