using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.ML.Shira.Checkpoints.HuggingFace;
using Microsoft.ML.Shira.IO.Safetensors;
using Microsoft.ML.Shira.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Tests.Checkpoints;

/// <summary>
/// Checkpoints past 2 GB (read memory-mapped, without holding the file) and sharded exports with
/// <c>model.safetensors.index.json</c>. Peak memory and speed on real multi-gigabyte checkpoints are measured by the
/// LargeCheckpoint benchmark, not here.
/// </summary>
[TestClass]
public sealed class LargeCheckpointTests
{
    /// <summary>
    /// A 2.5 GB safetensors file (a sparse file: the big tensor's zeros take no disk) whose last tensor starts past the
    /// 2 GB mark: the header validates and that tensor reads back exactly, without reading the file into memory.
    /// </summary>
    [TestMethod]
    public void TensorsPastTwoGigabytesAreRead()
    {
        const long bigBytes = 2_500_000_000;
        float[] tail = [1.5f, -2.25f, 3.125f, float.Epsilon, float.MaxValue];
        string header = $"{{\"big\":{{\"dtype\":\"U8\",\"shape\":[{bigBytes}],\"data_offsets\":[0,{bigBytes}]}},"
            + $"\"tail\":{{\"dtype\":\"F32\",\"shape\":[{tail.Length}],\"data_offsets\":[{bigBytes},{bigBytes + tail.Length * 4}]}}}}";
        string path = Path.Combine(TestPaths.NewTempDirectory(), "large.safetensors");
        using (var stream = new FileStream(path, FileMode.CreateNew))
        {
            byte[] headerBytes = Encoding.UTF8.GetBytes(header);
            var length = new byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)headerBytes.Length);
            stream.Write(length);
            stream.Write(headerBytes);
            stream.Seek(bigBytes, SeekOrigin.Current);
            foreach (float value in tail)
                stream.Write(BitConverter.GetBytes(value));
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        using var file = SafetensorsFile.Open(path);
        using var read = file.GetTensor("tail");
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        CollectionAssert.AreEqual(tail, read.data<float>().ToArray());
        Assert.AreEqual(bigBytes, file.GetEntry("big").End);
        Assert.IsLessThan(1_000_000, allocated, "The file is mapped, not read into managed memory.");
    }

    /// <summary>
    /// An export over the shard size is written as transformers writes sharded checkpoints (name-sorted tensors in
    /// <c>model-0000i-of-0000N.safetensors</c>, an index with <c>metadata.total_size</c> and a complete
    /// <c>weight_map</c>) and loads back bit for bit; exporting again unsharded into the same folder removes the shards.
    /// </summary>
    [TestMethod]
    [DataRow("llama-untied-gqa")]
    [DataRow("bert-no-pooler-targets")]
    public void ShardedExportHasAnIndexAndLoadsBackBitForBit(string fixture)
    {
        using var scope = NewDisposeScope();
        using var model = HuggingFaceLoader.Load(Path.Combine(TestPaths.Data, "arch-refs", fixture, "base"));
        var original = model.Module.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        long total = original.Values.Sum(t => t.NumberOfElements * t.ElementSize);
        string directory = TestPaths.NewTempDirectory();

        HuggingFaceExporter.Save(model, directory, maxShardBytes: total / 3);
        string[] shards = Directory.GetFiles(directory, "model-*-of-*.safetensors").Select(Path.GetFileName).Order().ToArray()!;
        Assert.IsGreaterThanOrEqualTo(3, shards.Length);
        Assert.AreEqual(HuggingFaceExporter.ShardName(1, shards.Length), shards[0]);
        Assert.IsFalse(File.Exists(Path.Combine(directory, "model.safetensors")));
        var index = JsonNode.Parse(File.ReadAllText(Path.Combine(directory, "model.safetensors.index.json")))!;
        Assert.AreEqual(total, index["metadata"]!["total_size"]!.GetValue<long>());
        var weightMap = index["weight_map"]!.AsObject();
        Assert.HasCount(original.Count, weightMap);
        foreach (string shard in shards)
        {
            using var file = SafetensorsFile.Open(Path.Combine(directory, shard));
            Assert.IsLessThanOrEqualTo(Math.Max(total / 3, file.Entries.Values.Max(e => e.End - e.Begin)), file.Entries.Values.Sum(e => e.End - e.Begin));
            foreach (string name in file.Entries.Keys)
                Assert.AreEqual(shard, weightMap[name]!.GetValue<string>(), name);
        }

        using (var reloaded = HuggingFaceLoader.Load(directory))
        {
            foreach (var (name, tensor) in reloaded.Module.state_dict())
                Assert.IsTrue(tensor.allclose(original[name], rtol: 0, atol: 0), name);
        }

        HuggingFaceExporter.Save(model, directory);
        Assert.IsEmpty(Directory.GetFiles(directory, "model-*-of-*.safetensors"));
        Assert.IsFalse(File.Exists(Path.Combine(directory, "model.safetensors.index.json")));
        using var single = HuggingFaceLoader.Load(directory);
        Assert.AreEqual(model.ModelType, single.ModelType);
    }

    [TestMethod]
    public void ShardSizeMustBePositive()
    {
        using var model = HuggingFaceLoader.Load(Path.Combine(TestPaths.Data, "arch-refs", "qwen2", "base"));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => HuggingFaceExporter.Save(model, TestPaths.NewTempDirectory(), 0));
    }
}
