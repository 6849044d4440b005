using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Microsoft.ML.Shira.Runtime;

/// <summary>Raw access to the memory of contiguous CPU tensors of any size.</summary>
internal static class TensorMemory
{
    /// <summary>Bytes of the tensor's elements.</summary>
    public static long ByteCount(Tensor tensor) => tensor.NumberOfElements * tensor.ElementSize;

    /// <summary>
    /// The first byte of a contiguous CPU tensor. <c>Tensor.bytes</c> stops at 2 GB, so a larger tensor is reached
    /// through a one-element view; the caller keeps the tensor alive while it uses the pointer.
    /// </summary>
    public static unsafe byte* Origin(Tensor tensor)
    {
        if (ByteCount(tensor) <= int.MaxValue)
            return (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(tensor.bytes));
        // The view shares the tensor's storage; only the view handle is released here.
        using var flat = tensor.view(-1);
        using var head = flat.narrow(0, 0, 1);
        return (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(head.bytes));
    }
}
