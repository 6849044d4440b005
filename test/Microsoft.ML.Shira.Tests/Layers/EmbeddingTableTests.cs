using TorchSharp;
using Microsoft.ML.Shira.Models;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Tests.Layers;

/// <summary>The library's embedding table against libtorch's own <c>nn.Embedding</c>, which it replaces.</summary>
[TestClass]
public sealed class EmbeddingTableTests
{
    [TestMethod]
    public void LookupAndGradientsMatchLibtorchEmbeddingWithPadding()
    {
        using var scope = NewDisposeScope();
        manual_seed(7);
        using var table = new EmbeddingTable(11, 5, paddingIndex: 2);
        using var reference = nn.Embedding(11, 5, padding_idx: 2);
        using (no_grad())
        {
            table.Weight.index_fill_(0, tensor(new long[] { 2 }), 0.75f); // a padding row that is not zero, as after loading a checkpoint
            reference.weight!.copy_(table.Weight);
        }
        var ids = tensor(new long[,] { { 1, 2, 3, 2 }, { 10, 0, 2, 4 } });
        var ours = table.call(ids);
        var theirs = reference.call(ids);
        CollectionAssert.AreEqual(new long[] { 2, 4, 5 }, ours.shape);
        Assert.IsTrue(ours.allclose(theirs, rtol: 0, atol: 0), "Same rows, padding row included.");

        var upstream = randn(2, 4, 5);
        ours.mul(upstream).sum().backward();
        theirs.mul(upstream).sum().backward();
        Assert.IsTrue(table.Weight.grad!.allclose(reference.weight!.grad!, rtol: 0, atol: 1e-6), "Same gradient, none for the padding row.");
        Assert.AreEqual(0.0, table.Weight.grad![2].abs().sum().item<float>());
        Assert.AreNotEqual(0.0, table.Weight.grad![4].abs().sum().item<float>());
    }

    [TestMethod]
    public void AllocatesNothingOnTheMetaDevice()
    {
        // 2^31 × 4096 float32 would be 32 TiB on the CPU; on the meta device only the shape exists.
        using var table = new EmbeddingTable(int.MaxValue, 4096, ScalarType.BFloat16, new Device(DeviceType.META), paddingIndex: 1);
        CollectionAssert.AreEqual(new long[] { int.MaxValue, 4096 }, table.Weight.shape);
        Assert.AreEqual(DeviceType.META, table.Weight.device_type);
        Assert.AreEqual(ScalarType.BFloat16, table.Weight.dtype);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new EmbeddingTable(4, 2, paddingIndex: 4));
    }
}
