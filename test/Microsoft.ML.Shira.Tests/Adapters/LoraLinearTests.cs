using Microsoft.ML.Shira.Adapters.Layers;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Tests.Adapters;

[TestClass]
public sealed class LoraLinearTests
{
    [TestMethod]
    public void MergedForwardEqualsUnmergedAndUnmergeRestores()
    {
        using var scope = NewDisposeScope();
        manual_seed(9);
        var linear = nn.Linear(24, 16);
        var original = linear.weight!.detach().clone();
        var lora = new LoraLinear(linear, rank: 4, alpha: 8);
        Assert.AreEqual(4L * (24 + 16), lora.TrainableCount);
        using (no_grad())
            lora.B.copy_(randn_like(lora.B));
        var x = randn(3, 24);
        var unmerged = lora.call(x);
        Assert.IsFalse(unmerged.allclose(linear.call(x)), "A non-zero B must change the output.");

        lora.Merge();
        Assert.IsTrue(lora.call(x).allclose(unmerged, rtol: 1e-5, atol: 1e-5));
        lora.Unmerge();
        Assert.IsTrue(lora.Weight.allclose(original, rtol: 0, atol: 1e-6));
    }

    [TestMethod]
    public void OnlyFactorsAreTrainable()
    {
        var lora = new LoraLinear(nn.Linear(8, 8), rank: 2, alpha: 2);
        var trainable = lora.named_parameters().Where(p => p.parameter.requires_grad).Select(p => p.name).ToArray();
        CollectionAssert.AreEquivalent(new[] { "lora_A", "lora_B" }, trainable);
    }
}
