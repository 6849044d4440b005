using Microsoft.ML.Shira.Adapters;
using Microsoft.ML.Shira.Adapters.Switching;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Tests.Adapters;

[TestClass]
public sealed class SwitchingTests
{
    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void ApplySwitchRemoveRestoresBaseBitExactly(bool consolidate)
    {
        var model = new TinyTransformer();
        var baseline = AdapterTestData.Snapshot(model);
        using var switcher = new FusedAdapterSwitcher(model, consolidate);
        switcher.Register(AdapterTestData.RandomAdapter(model, "a", 1));
        switcher.Register(AdapterTestData.RandomAdapter(model, "b", 2));

        switcher.Activate("a");
        Assert.AreEqual("a", switcher.Active.Single().Name);
        switcher.Activate("b");
        switcher.Deactivate();
        Assert.IsEmpty(switcher.Active);
        AdapterTestData.AssertBitwiseEqual(baseline, model);
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void ActiveWeightsEqualBasePlusScaledUpdate(bool consolidate)
    {
        var model = new TinyTransformer();
        var adapter = AdapterTestData.RandomAdapter(model, "a", 7);
        var baseWeights = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());
        using var switcher = new FusedAdapterSwitcher(model, consolidate);
        switcher.Register(adapter);
        switcher.Activate("a", alpha: 0.5);

        var weights = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var layer in adapter.Layers.Values)
        {
            var expected = baseWeights[layer.ModulePath + ".weight"].clone().view(-1);
            var idx = tensor(layer.FlatIndices());
            expected.index_put_(expected.index_select(0, idx) + tensor(layer.Values) * 0.5, idx);
            Assert.IsTrue(weights[layer.ModulePath + ".weight"].view(-1).allclose(expected, rtol: 0, atol: 0), layer.ModulePath);
        }
    }

    [TestMethod]
    [DataRow(ScalarType.Float64, false)]
    [DataRow(ScalarType.Float64, true)]
    [DataRow(ScalarType.BFloat16, false)]
    [DataRow(ScalarType.BFloat16, true)]
    [DataRow(ScalarType.Float16, true)]
    public void SwitchingIsBitExactInEveryDtype(ScalarType dtype, bool consolidate)
    {
        using var scope = NewDisposeScope();
        var model = new TinyTransformer();
        model.to(dtype);
        var baseline = AdapterTestData.Snapshot(model);
        var adapter = AdapterTestData.RandomAdapter(model, "a", 5, share: 0.05);
        using var switcher = new FusedAdapterSwitcher(model, consolidate);
        switcher.Register(adapter);
        switcher.Activate("a", alpha: 0.5);

        var weights = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var layer in adapter.Layers.Values)
        {
            string name = layer.ModulePath + ".weight";
            var expected = empty(weights[name].numel(), dtype: dtype);
            expected.bytes = baseline[name];
            var idx = tensor(layer.FlatIndices());
            // Each entry is computed in float32 (float64 for float64 weights) and rounded once to the weight's type: the
            // arithmetic of a SHiRA layer training float32 master values over bfloat16/float16 weights.
            var wide = dtype == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32;
            expected.index_put_((expected.index_select(0, idx).to(wide) + (tensor(layer.Values) * 0.5).to(wide)).to(dtype), idx);
            CollectionAssert.AreEqual(expected.bytes.ToArray(), weights[name].contiguous().bytes.ToArray(), name);
        }
        switcher.Deactivate();
        AdapterTestData.AssertBitwiseEqual(baseline, model);
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void ThousandRandomSwitchesStayBitExact(bool consolidate)
    {
        var model = new TinyTransformer(hidden: 48);
        var baseline = AdapterTestData.Snapshot(model);
        using var switcher = new FusedAdapterSwitcher(model, consolidate);
        string[] names = { "a", "b", "c", "d" };
        for (int i = 0; i < names.Length; i++)
            switcher.Register(AdapterTestData.RandomAdapter(model, names[i], 10 + i, share: 0.02));

        var random = new Random(42);
        for (int i = 0; i < 1000; i++)
        {
            switch (random.Next(4))
            {
                case 0: switcher.Deactivate(); break;
                case 1: switcher.Activate(names[random.Next(4)], alpha: random.NextDouble() * 2); break;
                case 2: switcher.Activate(new[] { (names[random.Next(2)], 1.0), (names[2 + random.Next(2)], 0.5) }); break;
                default: switcher.Activate(names[random.Next(4)]); break;
            }
        }
        switcher.Deactivate();
        AdapterTestData.AssertBitwiseEqual(baseline, model);
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void FusedActivationEqualsSumOfUpdates(bool consolidate)
    {
        using var scope = NewDisposeScope();
        var model = new TinyTransformer();
        var a = AdapterTestData.RandomAdapter(model, "a", 1, share: 0.05);
        var b = AdapterTestData.RandomAdapter(model, "b", 2, share: 0.05);
        var x = randn(2, 4, 32);
        using var switcher = new FusedAdapterSwitcher(model, consolidate);
        switcher.Register(a);
        switcher.Register(b);
        switcher.Activate(new[] { ("a", 1.0), ("b", 0.5) });
        var fused = model.call(x);

        switcher.Deactivate();
        var reference = new TinyTransformer();
        using (no_grad())
        {
            var weights = reference.named_parameters().ToDictionary(p => p.name, p => p.parameter);
            foreach (var (adapter, alpha) in new[] { (a, 1.0f), (b, 0.5f) })
            {
                foreach (var layer in adapter.Layers.Values)
                    weights[layer.ModulePath + ".weight"].view(-1).index_add_(0, tensor(layer.FlatIndices()), tensor(layer.Values), alpha);
            }
        }
        Assert.IsTrue(fused.allclose(reference.call(x), rtol: 1e-5, atol: 1e-6));
    }

    [TestMethod]
    public void RejectsAdapterForAnotherBaseModel()
    {
        var model = new TinyTransformer(seed: 1);
        var other = new TinyTransformer(seed: 2);
        var paths = other.named_parameters().Where(p => p.name.EndsWith(".weight") && p.parameter.dim() == 2)
            .Select(p => new KeyValuePair<string, Tensor>(p.name[..^7], p.parameter));
        var metadata = new AdapterMetadata { BaseModelFingerprint = BaseModelFingerprint.Compute(paths) };
        var adapter = AdapterTestData.RandomAdapter(other, "foreign", 1, metadata: metadata);

        using var switcher = new FusedAdapterSwitcher(model);
        var ex = Assert.ThrowsExactly<InvalidOperationException>(() => switcher.Register(adapter));
        StringAssert.Contains(ex.Message, "different base model");

        using var own = new FusedAdapterSwitcher(other);
        own.Register(adapter);
    }

    [TestMethod]
    public void RejectsUnknownLayerWrongShapeAndUnknownName()
    {
        var model = new TinyTransformer(hidden: 32);
        using var switcher = new FusedAdapterSwitcher(model);
        var unknown = new SparseAdapter("x", new[] { new SparseAdapterLayer("layer.9.query", 32, 32, new[] { 0 }, new[] { 0 }, new[] { 1f }) });
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => switcher.Register(unknown)).Message, "layer.9.query");
        var shape = new SparseAdapter("y", new[] { new SparseAdapterLayer("layer.0.query", 64, 64, new[] { 0 }, new[] { 0 }, new[] { 1f }) });
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => switcher.Register(shape)).Message, "[64, 64]");
        StringAssert.Contains(Assert.ThrowsExactly<KeyNotFoundException>(() => switcher.Activate("nope")).Message, "nope");
    }

    [TestMethod]
    public void ConsolidationKeepsOutputsAndStateDict()
    {
        using var scope = NewDisposeScope();
        var model = new TinyTransformer();
        var x = randn(2, 3, 32);
        var before = model.call(x);
        var snapshot = AdapterTestData.Snapshot(model);
        using var switcher = new FusedAdapterSwitcher(model, consolidateWeights: true);
        AdapterTestData.AssertBitwiseEqual(snapshot, model);
        Assert.IsTrue(model.call(x).allclose(before, rtol: 0, atol: 0));
        var adapter = AdapterTestData.RandomAdapter(model, "a", 3);
        switcher.Register(adapter);
        switcher.Activate("a");
        Assert.IsFalse(model.call(x).allclose(before, rtol: 0, atol: 0), "An active adapter must change the output.");
        switcher.Deactivate();
        Assert.IsTrue(model.call(x).allclose(before, rtol: 0, atol: 0));
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void UnregisteringTheActiveAdapterRestoresTheBaseAndForgetsIt(bool consolidate)
    {
        var model = new TinyTransformer();
        var baseline = AdapterTestData.Snapshot(model);
        using var switcher = new FusedAdapterSwitcher(model, consolidate);
        switcher.Register(AdapterTestData.RandomAdapter(model, "a", 1));
        switcher.Register(AdapterTestData.RandomAdapter(model, "b", 2));
        switcher.Activate([("a", 1.0), ("b", 0.5)]);

        Assert.IsTrue(switcher.Unregister("a"), "A registered adapter is removed.");
        Assert.IsEmpty(switcher.Active, "Removing an active adapter deactivates the fusion it was part of.");
        AdapterTestData.AssertBitwiseEqual(baseline, model);
        Assert.IsFalse(switcher.Unregister("a"), "A second removal finds nothing.");
        Assert.ThrowsExactly<KeyNotFoundException>(() => switcher.Activate("a"));

        // The other adapter still switches bit-exactly, and the name can be registered again with other values.
        switcher.Activate("b");
        switcher.Register(AdapterTestData.RandomAdapter(model, "a", 3));
        switcher.Activate("a");
        Assert.IsTrue(switcher.Unregister("b"), "An inactive adapter is removed without touching the active one.");
        CollectionAssert.AreEqual(new[] { ("a", 1.0) }, switcher.Active.ToArray());
        switcher.Deactivate();
        AdapterTestData.AssertBitwiseEqual(baseline, model);
    }
}
