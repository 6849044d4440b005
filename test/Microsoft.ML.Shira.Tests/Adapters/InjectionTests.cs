using Microsoft.ML.Shira.Adapters.Injection;
using Microsoft.ML.Shira.Adapters.Layers;
using Microsoft.ML.Shira.Masks;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Tests.Adapters;

[TestClass]
public sealed class InjectionTests
{
    [TestMethod]
    public void WrapsMatchingLinearsBySuffixKeepingHuggingFacePaths()
    {
        var model = new TinyTransformer(hidden: 32, layers: 2);
        var options = new ShiraInjectionOptions { TargetModules = { "query", "value", "fc2" } };
        var injection = ShiraInjector.Inject(model, options, new RandomMask(1));

        CollectionAssert.AreEquivalent(
            new[] { "layer.0.query", "layer.0.value", "layer.0.mlp.fc2", "layer.1.query", "layer.1.value", "layer.1.mlp.fc2" },
            injection.Layers.Select(l => l.ModulePath).ToArray());
        foreach (var (path, layer) in injection.Layers.Select(l => (l.ModulePath, l.Layer)))
            Assert.AreSame(layer, model.named_modules().Single(m => m.name == path).module, path);

        // 1% of 32x32 = 10 entries; 1% of 32x64 = 20 entries.
        Assert.AreEqual(4 * 10 + 2 * 20, injection.TrainableParameters);
        var trainable = model.parameters().Where(p => p.requires_grad).ToList();
        Assert.HasCount(6, trainable);
        Assert.IsTrue(trainable.All(p => injection.Parameters().Any(v => ReferenceEquals(v, p))));
        StringAssert.Contains(injection.ToString(), "trainable 80 of");
        Assert.IsTrue(injection.TrainableShare is > 0 and < 0.02);
    }

    [TestMethod]
    public void StateDictKeysAreUnchangedExceptForAdapterValues()
    {
        var model = new TinyTransformer();
        var before = model.state_dict().Keys.ToHashSet();
        ShiraInjector.Inject(model, new ShiraInjectionOptions { TargetModules = { "query", "key" } }, new RandomMask(2));
        var after = model.state_dict().Keys.ToHashSet();
        Assert.IsTrue(before.IsSubsetOf(after));
        CollectionAssert.AreEquivalent(
            new[] { "layer.0.query.shira_weight", "layer.0.key.shira_weight", "layer.1.query.shira_weight", "layer.1.key.shira_weight" },
            after.Except(before).ToArray());
    }

    [TestMethod]
    public void RegexTargetsWholePathsAndRankBudgetMatchesLora()
    {
        var model = new TinyTransformer(hidden: 32);
        var options = new ShiraInjectionOptions { TargetModulesPattern = @"layer\.1\.(query|dense)", Budget = ShiraBudget.FromRank(2) };
        var injection = ShiraInjector.Inject(model, options, new RandomMask(1));
        CollectionAssert.AreEquivalent(new[] { "layer.1.query", "layer.1.dense" }, injection.Layers.Select(l => l.ModulePath).ToArray());
        Assert.AreEqual(2 * 2 * (32 + 32), injection.TrainableParameters);
    }

    [TestMethod]
    public void ClearErrorsForNoMatchAndUnwrappableField()
    {
        var model = new TinyTransformer();
        var none = Assert.ThrowsExactly<InvalidOperationException>(() =>
            ShiraInjector.Inject(model, new ShiraInjectionOptions { TargetModules = { "q_proj" } }, new RandomMask(1)));
        StringAssert.Contains(none.Message, "q_proj");
        StringAssert.Contains(none.Message, "layer.0");

        var typed = Assert.ThrowsExactly<InvalidOperationException>(() =>
            ShiraInjector.Inject(new TinyTransformer(), new ShiraInjectionOptions { TargetModules = { "classifier" } }, new RandomMask(1)));
        StringAssert.Contains(typed.Message, "Module<Tensor, Tensor>");
    }

    [TestMethod]
    public void MergeAndUnloadGivesPlainModelWithSameOutput()
    {
        using var scope = NewDisposeScope();
        var model = new TinyTransformer();
        var injection = ShiraInjector.Inject(model, new ShiraInjectionOptions { TargetModules = { "query", "fc1" } }, new RandomMask(5));
        using (no_grad())
        {
            foreach (var p in injection.Parameters())
                p.copy_(randn_like(p) * 0.3);
        }
        var x = randn(2, 5, 32);
        var adapted = model.call(x);
        injection.MergeAndUnload();
        Assert.IsFalse(model.modules().OfType<ShiraLinear>().Any());
        Assert.IsTrue(model.call(x).allclose(adapted, rtol: 1e-5, atol: 1e-6));
    }
}
