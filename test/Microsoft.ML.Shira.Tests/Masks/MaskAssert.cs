using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Tests.Masks;

/// <summary>Checks the contract of <c>IMaskStrategy.SelectIndices</c>.</summary>
internal static class MaskAssert
{
    /// <summary>
    /// Asserts that <paramref name="indices"/> is a 1-D int64 CPU tensor of exactly <paramref name="count"/> strictly
    /// ascending (so distinct) positions in [0, <paramref name="total"/>), disposes it and returns its values.
    /// </summary>
    public static long[] Valid(Tensor indices, long count, long total)
    {
        using (indices)
        {
            Assert.AreEqual(ScalarType.Int64, indices.dtype);
            Assert.AreEqual(DeviceType.CPU, indices.device_type);
            Assert.AreEqual(1L, indices.dim());
            var values = indices.data<long>().ToArray();
            Assert.AreEqual(count, values.LongLength, "wrong number of entries");
            for (int i = 0; i < values.Length; i++)
            {
                Assert.IsTrue(values[i] >= 0 && values[i] < total, $"index {values[i]} outside [0, {total})");
                if (i > 0)
                    Assert.IsTrue(values[i - 1] < values[i], $"indices not strictly ascending at {i}: {values[i - 1]}, {values[i]}");
            }
            return values;
        }
    }

    /// <summary>Flat row-major position of (row, column) in a matrix with <paramref name="columns"/> columns.</summary>
    public static long Flat(long row, long column, long columns) => row * columns + column;

    /// <summary>Asserts that two float32 tensors have the same shape and the same bits in every entry.</summary>
    public static void BitwiseEqual(Tensor expected, Tensor actual, string? message = null)
    {
        using var scope = NewDisposeScope();
        CollectionAssert.AreEqual(expected.shape, actual.shape, message);
        var a = expected.contiguous().data<float>().ToArray().Select(BitConverter.SingleToInt32Bits).ToArray();
        var b = actual.contiguous().data<float>().ToArray().Select(BitConverter.SingleToInt32Bits).ToArray();
        CollectionAssert.AreEqual(a, b, message);
    }
}
