using Microsoft.ML.Shira.Checkpoints.Onnx;
using Microsoft.ML.Shira.Models.Bert;

namespace Microsoft.ML.Shira.Tests.Bert;

[TestClass]
public sealed class OnnxBertImporterTests
{
    [TestMethod]
    public void ImporterNamesEveryHuggingFaceTensorWithConfigShapes()
    {
        using var checkpoint = OnnxBertImporter.ReadCheckpoint(MiniLmFixture.OnnxBytes);
        Assert.AreEqual(BertConfig.MiniLmL6V2, checkpoint.Config);

        var expected = BertModel.ParameterShapes(checkpoint.Config);
        Assert.HasCount(expected.Count, checkpoint.Tensors);
        Assert.HasCount(5 + 16 * 6, expected);
        foreach (var (name, shape) in expected)
        {
            Assert.IsTrue(checkpoint.Tensors.TryGetValue(name, out var tensor), $"missing {name}");
            CollectionAssert.AreEqual(shape, tensor.shape, name);
            Assert.AreEqual(global::TorchSharp.torch.ScalarType.Float32, tensor.dtype, name);
        }
        Assert.Contains("pooler.dense.weight", checkpoint.UnusedInitializers);
        Assert.Contains("embeddings.position_ids", checkpoint.UnusedInitializers);
    }

    [TestMethod]
    public void LinearWeightsAreTransposedToOutIn()
    {
        using var checkpoint = OnnxBertImporter.ReadCheckpoint(MiniLmFixture.OnnxBytes);
        CollectionAssert.AreEqual(new long[] { 1536, 384 }, checkpoint.Tensors["encoder.layer.0.intermediate.dense.weight"].shape);
        CollectionAssert.AreEqual(new long[] { 384, 1536 }, checkpoint.Tensors["encoder.layer.5.output.dense.weight"].shape);
    }

    [TestMethod]
    public void TruncatedOnnxGivesClearError()
    {
        var truncated = MiniLmFixture.OnnxBytes.AsMemory(0, 100_000);
        var ex = Assert.ThrowsExactly<ShiraFormatException>(() => OnnxBertImporter.ReadCheckpoint(truncated));
        StringAssert.Contains(ex.Message, "truncated");
    }

    [TestMethod]
    public void GarbageAndEmptyBytesGiveClearErrors()
    {
        var random = new byte[4096];
        new Random(7).NextBytes(random);
        var garbage = Assert.ThrowsExactly<ShiraFormatException>(() => OnnxBertImporter.ReadCheckpoint(random));
        StringAssert.Contains(garbage.Message, "ONNX");

        var text = System.Text.Encoding.UTF8.GetBytes("this is not an onnx file at all");
        Assert.ThrowsExactly<ShiraFormatException>(() => OnnxBertImporter.ReadCheckpoint(text));

        var empty = Assert.ThrowsExactly<ShiraFormatException>(() => OnnxBertImporter.ReadCheckpoint(ReadOnlyMemory<byte>.Empty));
        StringAssert.Contains(empty.Message, "empty");
    }

    [TestMethod]
    public void CorruptedTensorNameIsReportedAsMissing()
    {
        // Rename one bias in place (same length): its weight can no longer be named, and the bias itself is missing.
        var bytes = (byte[])MiniLmFixture.OnnxBytes.Clone();
        var needle = System.Text.Encoding.ASCII.GetBytes("encoder.layer.3.attention.self.key.bias");
        var replacement = System.Text.Encoding.ASCII.GetBytes("encoder.layer.3.attention.self.kex.bias");
        // The name occurs in the initializer and in the Add node that uses it; corrupt every occurrence.
        int at, count = 0;
        while ((at = bytes.AsSpan().IndexOf(needle)) >= 0)
        {
            replacement.CopyTo(bytes, at);
            count++;
        }
        Assert.AreEqual(2, count);

        var ex = Assert.ThrowsExactly<ShiraFormatException>(() => OnnxBertImporter.ReadCheckpoint(bytes));
        StringAssert.Contains(ex.Message, "encoder.layer.3.attention.self.key.weight");
        StringAssert.Contains(ex.Message, "encoder.layer.3.attention.self.key.bias");
    }
}
