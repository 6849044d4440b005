using Microsoft.ML.Shira.Adapters.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Tests.Adapters;

[TestClass]
public sealed class ShiraLinearTests
{
    [TestMethod]
    public void ForwardEqualsLinearWithScatteredUpdate()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var linear = nn.Linear(12, 7);
        var indices = tensor(new long[] { 0, 5, 13, 40, 83 });
        var values = randn(5);
        var layer = new ShiraLinear(linear, indices, scaling: 0.5, initialValues: values);
        var x = randn(4, 12);

        var dense = linear.weight!.detach().clone().view(-1);
        dense.index_put_(dense.index_select(0, indices) + 0.5 * values, indices);
        var expected = nn.functional.linear(x, dense.view(7, 12), linear.bias);
        Assert.IsTrue(layer.call(x).allclose(expected, rtol: 0, atol: 1e-6));
    }

    [TestMethod]
    public void GradientEqualsDenseGradientMaskedToIndices()
    {
        using var scope = NewDisposeScope();
        manual_seed(4);
        var baseLinear = nn.Linear(16, 9);
        var indices = randperm(16 * 9).narrow(0, 0, 20).sort().Values;
        var layer = new ShiraLinear(baseLinear, indices, initialValues: randn(20) * 0.1);
        var x = randn(5, 16);
        var target = randn(5, 9);

        nn.functional.mse_loss(layer.call(x), target).backward();
        var sparseGrad = layer.Values.grad!.clone();

        // Reference: a dense Linear holding the same effective weight; its weight gradient, read at the indices.
        var reference = nn.Linear(16, 9);
        using (no_grad())
        {
            reference.weight!.copy_(layer.EffectiveWeight());
            reference.bias!.copy_(baseLinear.bias!);
        }
        nn.functional.mse_loss(reference.call(x), target).backward();
        var denseGrad = reference.weight!.grad!.view(-1).index_select(0, indices);

        Assert.IsTrue(sparseGrad.allclose(denseGrad, rtol: 1e-5, atol: 1e-7), "SHiRA value gradients must equal the dense gradient at the indices.");
        Assert.IsNull(layer.Weight.grad, "The frozen base weight must receive no gradient.");
        Assert.IsFalse(layer.Weight.requires_grad);
    }

    [TestMethod]
    public void ZeroInitStartsAtBaseAndStateDictKeepsHuggingFaceNames()
    {
        using var scope = NewDisposeScope();
        var linear = nn.Linear(8, 4);
        var x = randn(2, 8);
        var before = linear.call(x);
        var layer = new ShiraLinear(linear, tensor(new long[] { 1, 2, 3 }));
        Assert.IsTrue(layer.call(x).allclose(before, rtol: 0, atol: 0));
        var names = layer.state_dict().Keys.ToList();
        CollectionAssert.AreEquivalent(new[] { "weight", "bias", "shira_weight" }, names);
    }

    [TestMethod]
    public void RejectsBadIndices()
    {
        using var scope = NewDisposeScope();
        var linear = nn.Linear(4, 4);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new ShiraLinear(linear, tensor(new long[] { 0, 16 })));
        Assert.ThrowsExactly<ArgumentException>(() => new ShiraLinear(linear, tensor(new int[] { 0, 1 })));
    }
}
