using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.ML.Shira.Runtime;

namespace Microsoft.ML.Shira.Adapters.Switching;

/// <summary>
/// Writes <c>target[positions[i]] = values[i]</c> into a flat tensor. On the CPU, for a contiguous target, the direct
/// path is a plain loop over the tensors' memory that copies each element's bytes (so every dtype of 1, 2, 4 or 8 bytes
/// is written bit for bit). A call costs about 0.4 µs instead of <c>scatter_</c>'s 0.7 µs, and the loop itself is
/// 10-16% faster. Anything else goes through <c>scatter_</c>. Positions must be distinct (as for <c>scatter_</c>,
/// duplicates would leave an unspecified winner). Sorted positions make the writes one forward sweep; for a whole-model
/// adapter either path is then bound by the cache misses on the touched lines, and only more threads help.
/// </summary>
/// <remarks>
/// The direct path writes memory torch does not see being written: it does not bump the autograd version counter. That
/// is within the switcher's contract (weights change only through it, outside any backward pass).
/// </remarks>
internal static class ScatterKernel
{
    /// <summary>
    /// The loop is split only when every thread gets at least this many entries (tens of µs of work, well above the cost
    /// of starting a parallel loop; a round number, not tuned).
    /// </summary>
    internal const long MinEntriesPerThread = 1 << 15;

    /// <summary>
    /// True when <see cref="TryWriteDirect"/> can handle these tensors as long as the target stays contiguous: CPU
    /// tensors, int64 positions, values of the target's dtype, an element size of 1, 2, 4 or 8 bytes, and positions and
    /// values that a <see cref="Span{T}"/> can address. Positions and values must not change after this check.
    /// </summary>
    public static bool SupportsDirect(Tensor target, Tensor positions, Tensor values) =>
        target.device_type == DeviceType.CPU && positions.device_type == DeviceType.CPU && values.device_type == DeviceType.CPU
        && positions.dtype == ScalarType.Int64 && values.dtype == target.dtype
        && target.ElementSize is 1 or 2 or 4 or 8
        && positions.dim() == 1 && values.dim() == 1 && positions.numel() == values.numel()
        && positions.is_contiguous() && values.is_contiguous()
        && positions.numel() * sizeof(long) <= int.MaxValue;

    /// <summary>Writes with the direct path when <see cref="SupportsDirect"/> holds and the target is contiguous, otherwise with <c>scatter_</c>.</summary>
    public static void Write(Tensor target, Tensor positions, Tensor values)
    {
        if (!(SupportsDirect(target, positions, values) && TryWriteDirect(target, positions, values)))
            WriteWithTorch(target, positions, values);
    }

    /// <summary>
    /// The direct path, for tensors that passed <see cref="SupportsDirect"/>. Returns false, writing nothing, when the
    /// target is not a contiguous 1-D tensor.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A position is outside the target (entries before it may be written).</exception>
    public static bool TryWriteDirect(Tensor target, Tensor positions, Tensor values)
    {
        if (target.dim() != 1 || !target.is_contiguous())
            return false;
        long count = positions.numel();
        if (count == 0)
            return true;
        long length = target.numel();
        int threads = (int)Math.Clamp(count / MinEntriesPerThread, 1, Math.Max(1, get_num_threads()));
        switch (target.ElementSize)
        {
            case 1: Run<byte>(target, positions, values, length, count, threads); break;
            case 2: Run<ushort>(target, positions, values, length, count, threads); break;
            case 4: Run<uint>(target, positions, values, length, count, threads); break;
            default: Run<ulong>(target, positions, values, length, count, threads); break;
        }
        return true;
    }

    /// <summary>The general path: <c>scatter_</c> (an exact write for distinct 1-D positions), on any device and layout.</summary>
    public static void WriteWithTorch(Tensor target, Tensor positions, Tensor values)
    {
        using (no_grad())
            target.scatter_(0, positions, values);
    }

    private static unsafe void Run<T>(Tensor target, Tensor positions, Tensor values, long length, long count, int threads)
        where T : unmanaged
    {
        // Raw pointers, not spans: the span version of this loop measured ~30% slower. The pointers live only for this
        // call, while the caller holds the tensors.
        var index = (long*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(positions.bytes));
        var source = (T*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(values.bytes));
        var destination = (T*)TensorMemory.Origin(target);
        long bad = -1;
        if (threads == 1)
        {
            bad = Copy(destination, index, source, (ulong)length, 0, count);
        }
        else
        {
            nint d = (nint)destination, i = (nint)index, s = (nint)source;
            var failures = new long[threads];
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, part =>
                failures[part] = Copy((T*)d, (long*)i, (T*)s, (ulong)length, count * part / threads, count * (part + 1) / threads));
            bad = failures.FirstOrDefault(f => f >= 0, -1);
        }
        if (bad >= 0)
            throw new ArgumentOutOfRangeException(nameof(positions), $"Position {index[bad]} is outside a tensor of {length} elements.");
    }

    /// <summary>Copies entries [from, to); returns the first entry whose position is out of range (stopping there), or -1.</summary>
    private static unsafe long Copy<T>(T* destination, long* index, T* source, ulong length, long from, long to)
        where T : unmanaged
    {
        for (long i = from; i < to; i++)
        {
            long position = index[i];
            if ((ulong)position >= length)
                return i;
            destination[position] = source[i];
        }
        return -1;
    }
}
