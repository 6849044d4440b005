using Microsoft.ML.Shira.IO.Safetensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Tests.Checkpoints;

[TestClass]
public sealed class SafetensorsTests
{
    [TestMethod]
    public void ReadsRealStories260KCheckpoint()
    {
        var file = SafetensorsFile.Open(Path.Combine(TestPaths.Stories260K, "model.safetensors"));
        Assert.HasCount(47, file.Entries);
        Assert.AreEqual("pt", file.Metadata["format"]);
        long parameters = file.Entries.Values.Sum(e => e.ElementCount);
        Assert.AreEqual(260_032L, parameters);
        using var embed = file.GetTensor("model.embed_tokens.weight");
        CollectionAssert.AreEqual(new long[] { 512, 64 }, embed.shape);
        Assert.AreEqual(ScalarType.Float32, embed.dtype);
    }

    [TestMethod]
    public void RoundTripsEveryDTypeBitExactly()
    {
        using var scope = NewDisposeScope();
        var tensors = new Dictionary<string, Tensor>
        {
            ["f32"] = randn(3, 5),
            ["f16"] = randn(4).to(ScalarType.Float16),
            ["bf16"] = randn(2, 2).to(ScalarType.BFloat16),
            ["i32"] = arange(7, ScalarType.Int32),
            ["i64"] = arange(3, ScalarType.Int64).reshape(3, 1),
            ["empty"] = zeros(0, 4),
        };
        string path = Path.Combine(TestPaths.NewTempDirectory(), "t.safetensors");
        SafetensorsWriter.Write(path, tensors, new Dictionary<string, string> { ["format"] = "pt" });

        var file = SafetensorsFile.Open(path);
        Assert.AreEqual("pt", file.Metadata["format"]);
        foreach (var (name, expected) in tensors)
        {
            using var actual = file.GetTensor(name);
            Assert.AreEqual(expected.dtype, actual.dtype, name);
            CollectionAssert.AreEqual(expected.shape, actual.shape, name);
            CollectionAssert.AreEqual(expected.bytes.ToArray(), actual.bytes.ToArray(), name);
        }
        Assert.IsEmpty(Directory.GetFiles(Path.GetDirectoryName(path)!, "*.tmp"));
    }

    [TestMethod]
    public void TruncatedFileNamesTheTensor()
    {
        byte[] bytes = File.ReadAllBytes(Path.Combine(TestPaths.Stories260K, "model.safetensors"));
        byte[] truncated = bytes[..(bytes.Length - 100)];
        var ex = Assert.ThrowsExactly<ShiraFormatException>(() => SafetensorsFile.Parse(truncated, "cut.safetensors"));
        StringAssert.Contains(ex.Message, "cut.safetensors");
        StringAssert.Contains(ex.Message, "truncated");
        StringAssert.Contains(ex.Message, "model.");
    }

    [TestMethod]
    public void CorruptHeaderGetsClearError()
    {
        Assert.ThrowsExactly<ShiraFormatException>(() => SafetensorsFile.Parse(new byte[] { 1, 2, 3 }, "tiny"));
        var bad = new byte[16];
        BitConverter.GetBytes(8UL).CopyTo(bad, 0);
        "{notjson"u8.ToArray().CopyTo(bad, 8);
        var ex = Assert.ThrowsExactly<ShiraFormatException>(() => SafetensorsFile.Parse(bad, "bad.safetensors"));
        StringAssert.Contains(ex.Message, "the JSON header is not valid JSON");
        var missing = Assert.ThrowsExactly<FileNotFoundException>(() => SafetensorsFile.Open("/nonexistent/x.safetensors"));
        StringAssert.Contains(missing.Message, "x.safetensors");
    }

    [TestMethod]
    public void InconsistentOffsetsNameTheTensor()
    {
        using var t = ones(4);
        byte[] bytes = SafetensorsWriter.ToBytes(new Dictionary<string, Tensor> { ["w"] = t });
        string text = System.Text.Encoding.UTF8.GetString(bytes);
        byte[] broken = System.Text.Encoding.UTF8.GetBytes(text.Replace("[0,16]", "[0,12]"));
        var ex = Assert.ThrowsExactly<ShiraFormatException>(() => SafetensorsFile.Parse(broken, "b"));
        StringAssert.Contains(ex.Message, "'w'");
    }
}
