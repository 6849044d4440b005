using Microsoft.ML.Shira.Adapters.Switching;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Tests.Adapters;

[TestClass]
public sealed class ScatterKernelTests
{
    [TestMethod]
    [DataRow(ScalarType.Float32)]
    [DataRow(ScalarType.Float64)]
    [DataRow(ScalarType.BFloat16)]
    [DataRow(ScalarType.Float16)]
    public void DirectPathEqualsIndexPutBitForBit(ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var random = new Random(3);
        var target = RandomBits(5000, dtype, random);
        var positions = tensor(DistinctShuffled(5000, 700, random));
        // Raw random bits: NaN payloads, infinities, signed zeros and subnormals must all survive.
        var values = RandomBits(700, dtype, random);

        var expected = target.clone();
        expected.index_put_(values, positions);
        Assert.IsTrue(ScatterKernel.SupportsDirect(target, positions, values));
        Assert.IsTrue(ScatterKernel.TryWriteDirect(target, positions, values));

        CollectionAssert.AreEqual(expected.bytes.ToArray(), target.bytes.ToArray());
    }

    [TestMethod]
    public void DirectPathSplitAcrossThreadsEqualsIndexPut()
    {
        using var scope = NewDisposeScope();
        int threads = get_num_threads();
        try
        {
            set_num_threads(2);
            var random = new Random(5);
            int count = (int)(3 * ScatterKernel.MinEntriesPerThread);
            var target = RandomBits(1_000_000, ScalarType.Float32, random);
            var positions = tensor(DistinctShuffled(1_000_000, count, random));
            var values = RandomBits(count, ScalarType.Float32, random);
            var expected = target.clone();
            expected.index_put_(values, positions);

            Assert.IsTrue(ScatterKernel.TryWriteDirect(target, positions, values));
            CollectionAssert.AreEqual(expected.bytes.ToArray(), target.bytes.ToArray());
        }
        finally
        {
            set_num_threads(threads);
        }
    }

    [TestMethod]
    public void DirectPathReachesBeyondTwoGigabytes()
    {
        using var scope = NewDisposeScope();
        // Never filled, so only the pages written here become resident.
        long length = (1L << 31) + 1000;
        var target = empty(length, dtype: ScalarType.Byte);
        long[] at = { 0, int.MaxValue, (1L << 31) + 5, length - 1 };
        var values = tensor(new byte[] { 11, 22, 33, 44 });
        Assert.IsTrue(ScatterKernel.SupportsDirect(target, tensor(at), values));
        Assert.IsTrue(ScatterKernel.TryWriteDirect(target, tensor(at), values));
        CollectionAssert.AreEqual(new byte[] { 11, 22, 33, 44 }, at.Select(p => target[p].item<byte>()).ToArray());
    }

    [TestMethod]
    public void NonContiguousTargetFallsBackToTorch()
    {
        using var scope = NewDisposeScope();
        var random = new Random(7);
        var buffer = randn(2000);
        var untouched = buffer.clone();
        var target = buffer.slice(0, 1, 2000, 2);
        var positions = tensor(DistinctShuffled(1000, 100, random));
        var values = randn(100);
        var expected = target.clone();
        expected.index_put_(values, positions);

        Assert.IsFalse(ScatterKernel.TryWriteDirect(target, positions, values));
        ScatterKernel.Write(target, positions, values);

        CollectionAssert.AreEqual(expected.bytes.ToArray(), target.contiguous().bytes.ToArray());
        var even = buffer.slice(0, 0, 2000, 2).contiguous();
        CollectionAssert.AreEqual(untouched.slice(0, 0, 2000, 2).contiguous().bytes.ToArray(), even.bytes.ToArray());
    }

    [TestMethod]
    public void PositionOutsideTheTargetThrows()
    {
        using var scope = NewDisposeScope();
        var target = zeros(10);
        var positions = tensor(new long[] { 3, 10 });
        var values = ones(2);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ScatterKernel.TryWriteDirect(target, positions, values));
    }

    [TestMethod]
    public void UnsupportedTensorsAreLeftToTorch()
    {
        using var scope = NewDisposeScope();
        var target = zeros(10);
        var positions = tensor(new long[] { 1, 2 });
        Assert.IsFalse(ScatterKernel.SupportsDirect(target, positions, ones(2, dtype: ScalarType.Float64)), "dtype mismatch");
        Assert.IsFalse(ScatterKernel.SupportsDirect(target, tensor(new int[] { 1, 2 }), ones(2)), "int32 positions");
        Assert.IsFalse(ScatterKernel.SupportsDirect(target, positions, ones(3)), "count mismatch");
        Assert.IsFalse(ScatterKernel.SupportsDirect(zeros(10, dtype: ScalarType.ComplexFloat64), positions, zeros(2, dtype: ScalarType.ComplexFloat64)), "16-byte elements");
    }

    [TestMethod]
    public void PreparedScatterOnCpuUsesTheDirectPath()
    {
        using var scope = NewDisposeScope();
        var target = zeros(10);
        var positions = tensor(new long[] { 2, 5 });
        using var prepared = new PreparedScatter(target, positions.clone(), zeros(2), ones(2));
        Assert.IsTrue(prepared.UsesDirectPath);
        prepared.Apply();
        Assert.AreEqual(2f, target.sum().item<float>());
        prepared.Restore();
        Assert.AreEqual(0f, target.sum().item<float>());
    }

    internal static long[] DistinctShuffled(long length, int count, Random random)
    {
        var set = new HashSet<long>();
        while (set.Count < count)
            set.Add(random.NextInt64(length));
        var positions = set.ToArray();
        random.Shuffle(positions);
        return positions;
    }

    private static Tensor RandomBits(long count, ScalarType dtype, Random random)
    {
        var result = empty(count, dtype: dtype);
        var bits = new byte[count * result.ElementSize];
        random.NextBytes(bits);
        result.bytes = bits;
        return result;
    }
}
