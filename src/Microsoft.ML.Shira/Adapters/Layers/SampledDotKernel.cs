using System.Numerics;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Microsoft.ML.Shira.Adapters.Layers;

/// <summary>
/// The SHiRA value gradient on the CPU without gathering <c>[tokens, k]</c> copies: per token chunk, transpose the
/// output gradient and the input to <c>[out, tokens]</c> / <c>[in, tokens]</c> (one pass each), then every entry is one
/// contiguous SIMD dot product <c>Σ_t gᵀ[r_i, t]·xᵀ[c_i, t]</c>. The work is O(tokens·(k + in + out)); the entries run in
/// parallel on up to <c>torch.get_num_threads()</c> threads.
/// </summary>
internal static class SampledDotKernel
{
    /// <summary>Elements of one transposed chunk pair (<c>chunk·(in+out)</c>) when the caller asks for automatic chunks.</summary>
    public const long AutomaticChunkElements = 1L << 19;

    /// <summary>True for contiguous-able float32/float64 CPU tensors, which this kernel handles.</summary>
    public static bool Supports(Tensor tensor) =>
        tensor.device_type == DeviceType.CPU && tensor.dtype is ScalarType.Float32 or ScalarType.Float64;

    /// <summary><c>Σ_t g2[t, rows[i]]·x2[t, cols[i]]</c> for every entry (unscaled), as a new CPU tensor of g2's dtype.</summary>
    /// <param name="g2">Output gradient <c>[tokens, out]</c>.</param>
    /// <param name="x2">Input <c>[tokens, in]</c>.</param>
    /// <param name="entries">The k positions.</param>
    /// <param name="chunkTokens">Tokens per chunk; 0 for automatic.</param>
    public static Tensor Compute(Tensor g2, Tensor x2, ShiraEntries entries, long chunkTokens)
    {
        long width = g2.shape[1] + x2.shape[1];
        long chunk = chunkTokens > 0 ? chunkTokens : Math.Max(1, AutomaticChunkElements / width);
        // Each transposed chunk is read through a Span, so it must stay under int.MaxValue bytes.
        chunk = Math.Min(chunk, Math.Max(1, int.MaxValue / (8 * Math.Max(g2.shape[1], x2.shape[1]))));
        return g2.dtype == ScalarType.Float64
            ? torch.tensor(Accumulate<double>(g2, x2, entries, chunk))
            : torch.tensor(Accumulate<float>(g2, x2, entries, chunk));
    }

    private static T[] Accumulate<T>(Tensor g2, Tensor x2, ShiraEntries entries, long chunk)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var sums = new T[entries.Count];
        long tokens = g2.shape[0];
        int degree = Math.Max(1, torch.get_num_threads());
        for (long start = 0; start < tokens; start += chunk)
        {
            long length = Math.Min(chunk, tokens - start);
            // Transpose into one reused per-thread buffer: repeated MB-sized allocations fragment the native heap and
            // showed up as resident memory that a training run never gives back.
            long outFeatures = g2.shape[1], inFeatures = x2.shape[1];
            var scratch = Scratch((outFeatures + inFeatures) * length, g2.dtype);
            using var gT = scratch.narrow(0, 0, outFeatures * length).view(outFeatures, length);
            using var xT = scratch.narrow(0, outFeatures * length, inFeatures * length).view(inFeatures, length);
            using (var gChunk = g2.narrow(0, start, length))
            using (var gChunkT = gChunk.t())
                gT.copy_(gChunkT);
            using (var xChunk = x2.narrow(0, start, length))
            using (var xChunkT = xChunk.t())
                xT.copy_(xChunkT);
            int span = (int)length;
            // Small problems run inline: a parallel loop costs more than it saves below ~64K multiply-adds.
            int parts = degree == 1 || (long)entries.Count * span < (1 << 16) ? 1 : degree * 4;
            if (parts == 1)
            {
                DotRange(gT, xT, span, entries, sums, 0, entries.Count);
                continue;
            }
            Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = degree }, part =>
            {
                int from = (int)((long)entries.Count * part / parts);
                int to = (int)((long)entries.Count * (part + 1) / parts);
                DotRange(gT, xT, span, entries, sums, from, to);
            });
        }
        return sums;
    }

    [ThreadStatic]
    private static Tensor? _scratch;

    /// <summary>
    /// A per-thread CPU buffer of at least <paramref name="elements"/>; it grows to the largest chunk seen (about 2 MiB
    /// for float32 with automatic chunks) and lives as long as the thread.
    /// </summary>
    private static Tensor Scratch(long elements, ScalarType dtype)
    {
        if (_scratch is null || _scratch.dtype != dtype || _scratch.numel() < elements)
        {
            _scratch?.Dispose();
            _scratch = empty(elements, dtype: dtype).DetachFromDisposeScope();
        }
        return _scratch;
    }

    private static void DotRange<T>(Tensor gT, Tensor xT, int span, ShiraEntries entries, T[] sums, int from, int to)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ReadOnlySpan<T> g = MemoryMarshal.Cast<byte, T>(gT.bytes);
        ReadOnlySpan<T> x = MemoryMarshal.Cast<byte, T>(xT.bytes);
        int[] rows = entries.Rows, cols = entries.Cols, order = entries.Order;
        for (int j = from; j < to; j++)
        {
            int i = order[j];
            sums[i] += TensorPrimitives.Dot(g.Slice(rows[i] * span, span), x.Slice(cols[i] * span, span));
        }
    }
}
