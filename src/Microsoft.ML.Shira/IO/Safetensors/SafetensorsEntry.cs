namespace Microsoft.ML.Shira.IO.Safetensors;

/// <summary>Header entry of one tensor in a safetensors file.</summary>
/// <param name="Name">Tensor name.</param>
/// <param name="DType">Safetensors dtype name (<c>F32</c>, <c>BF16</c>, …).</param>
/// <param name="Shape">Tensor shape.</param>
/// <param name="Begin">Start of the data, relative to the start of the data section.</param>
/// <param name="End">End (exclusive) of the data, relative to the start of the data section.</param>
internal sealed record SafetensorsEntry(string Name, string DType, long[] Shape, long Begin, long End)
{
    /// <summary>Number of elements.</summary>
    /// <exception cref="OverflowException">The shape has more than <see cref="long.MaxValue"/> elements.</exception>
    public long ElementCount => Shape.Aggregate(1L, (a, b) => checked(a * b));
}
