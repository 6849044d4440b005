using System.Numerics;
using System.Runtime.InteropServices;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Microsoft.ML.Shira.Adapters.Layers;

/// <summary>
/// The SHiRA value gradient on the CPU without gathering <c>[tokens, k]</c> copies: per token chunk, transpose the
/// output gradient and the input to <c>[out, tokens]</c> / <c>[in, tokens]</c> (one pass each), then every entry is one
/// contiguous SIMD dot product <c>Σ_t gᵀ[r_i, t]·xᵀ[c_i, t]</c>. The work is O(tokens·(k + in + out)); the entries run in
/// parallel on up to <c>torch.get_num_threads()</c> threads. bfloat16 and float16 inputs are widened to float32 by the
/// same transposing copy (no extra pass), so their sums accumulate in float32.
/// </summary>
internal static class SampledDotKernel
{
    /// <summary>Elements of one transposed chunk pair (<c>chunk·(in+out)</c>) when the caller asks for automatic chunks.</summary>
    public const long AutomaticChunkElements = 1L << 19;

    /// <summary>True for float32/float64/bfloat16/float16 CPU tensors, which this kernel handles.</summary>
    public static bool Supports(Tensor tensor) => tensor.device_type == DeviceType.CPU && Supports(tensor.dtype);

    /// <summary>True for the input types this kernel handles (float32, float64, bfloat16, float16).</summary>
    public static bool Supports(ScalarType dtype) =>
        dtype is ScalarType.Float32 or ScalarType.Float64 or ScalarType.BFloat16 or ScalarType.Float16;

    /// <summary>The type the sums accumulate in for inputs of <paramref name="dtype"/>: float64 for float64, else float32.</summary>
    public static ScalarType ComputeDType(ScalarType dtype) => dtype == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32;

    /// <summary>Tokens per chunk for <paramref name="chunkTokens"/> (0 for automatic) and these feature counts.</summary>
    public static long ChunkFor(long outFeatures, long inFeatures, long chunkTokens)
    {
        long chunk = chunkTokens > 0 ? chunkTokens : Math.Max(1, AutomaticChunkElements / (outFeatures + inFeatures));
        // Each transposed chunk is read through a Span, so it must stay under int.MaxValue bytes.
        return Math.Min(chunk, Math.Max(1, int.MaxValue / (8 * Math.Max(outFeatures, inFeatures))));
    }

    /// <summary>Elements of the scratch buffer <see cref="Compute"/> needs: one transposed chunk pair.</summary>
    public static long ScratchElements(long tokens, long outFeatures, long inFeatures, long chunkTokens) =>
        (outFeatures + inFeatures) * Math.Min(tokens, ChunkFor(outFeatures, inFeatures, chunkTokens));

    /// <summary>
    /// <c>Σ_t g2[t, rows[i]]·x2[t, cols[i]]</c> for every entry (unscaled), as a new CPU tensor of
    /// <see cref="ComputeDType"/> of g2's type.
    /// </summary>
    /// <param name="g2">Output gradient <c>[tokens, out]</c>.</param>
    /// <param name="x2">Input <c>[tokens, in]</c>.</param>
    /// <param name="entries">The k positions.</param>
    /// <param name="chunkTokens">Tokens per chunk; 0 for automatic.</param>
    /// <param name="scratch">
    /// A contiguous 1-D buffer of <see cref="ComputeDType"/> with at least <see cref="ScratchElements"/> elements that the caller no
    /// longer needs (its contents are overwritten); null to allocate one for this call.
    /// </param>
    public static Tensor Compute(Tensor g2, Tensor x2, ShiraPositions entries, long chunkTokens, Tensor? scratch = null)
    {
        using var scope = NewDisposeScope();
        long tokens = g2.shape[0], outFeatures = g2.shape[1], inFeatures = x2.shape[1];
        long chunk = ChunkFor(outFeatures, inFeatures, chunkTokens);
        long needed = ScratchElements(tokens, outFeatures, inFeatures, chunkTokens);
        var compute = ComputeDType(g2.dtype);
        if (scratch is null || scratch.dtype != compute || scratch.device_type != DeviceType.CPU || scratch.numel() < needed)
            scratch = empty(needed, dtype: compute);
        // The sums go straight into the native result: a managed array (and torch.tensor's managed copy of it) was
        // 8 bytes per value of garbage per step, which the GC let pile up as resident memory across training steps.
        var sums = zeros(entries.Count, dtype: compute);
        if (compute == ScalarType.Float64)
            Accumulate<double>(g2, x2, entries, chunk, scratch, sums);
        else
            Accumulate<float>(g2, x2, entries, chunk, scratch, sums);
        return sums.MoveToOuterDisposeScope();
    }

    private static void Accumulate<T>(Tensor g2, Tensor x2, ShiraPositions entries, long chunk, Tensor scratch, Tensor sums)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        long tokens = g2.shape[0], outFeatures = g2.shape[1], inFeatures = x2.shape[1];
        int degree = Math.Max(1, torch.get_num_threads());
        // Views are made once, not per chunk: every TorchSharp view is a managed object, and per-step garbage stays
        // resident until the GC runs.
        using var gAll = g2.t();
        using var xAll = x2.t();
        Tensor? gT = null, xT = null;
        long viewLength = -1;
        try
        {
            for (long start = 0; start < tokens; start += chunk)
            {
                long length = Math.Min(chunk, tokens - start);
                if (length != viewLength)
                {
                    viewLength = length;
                    gT?.Dispose();
                    xT?.Dispose();
                    gT = scratch.narrow(0, 0, outFeatures * length).view(outFeatures, length);
                    xT = scratch.narrow(0, outFeatures * length, inFeatures * length).view(inFeatures, length);
                }
                using (var gChunk = gAll.narrow(1, start, length))
                    gT!.copy_(gChunk);
                using (var xChunk = xAll.narrow(1, start, length))
                    xT!.copy_(xChunk);
                DotChunk<T>(gT!, xT!, (int)length, entries, sums, degree);
            }
        }
        finally
        {
            gT?.Dispose();
            xT?.Dispose();
        }
    }

    private static void DotChunk<T>(Tensor gT, Tensor xT, int span, ShiraPositions entries, Tensor sums, int degree)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Small problems run inline: a parallel loop costs more than it saves below ~64K multiply-adds.
        int parts = degree == 1 || (long)entries.Count * span < (1 << 16) ? 1 : degree * 4;
        if (parts == 1)
        {
            DotRange<T>(gT, xT, span, entries, sums, 0, entries.Count);
            return;
        }
        Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = degree }, part =>
        {
            int from = (int)((long)entries.Count * part / parts);
            int to = (int)((long)entries.Count * (part + 1) / parts);
            DotRange<T>(gT, xT, span, entries, sums, from, to);
        });
    }

    private static void DotRange<T>(Tensor gT, Tensor xT, int span, ShiraPositions entries, Tensor sumsTensor, int from, int to)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ReadOnlySpan<T> g = MemoryMarshal.Cast<byte, T>(gT.bytes);
        ReadOnlySpan<T> x = MemoryMarshal.Cast<byte, T>(xT.bytes);
        Span<T> sums = MemoryMarshal.Cast<byte, T>(sumsTensor.bytes);
        int[] rows = entries.Rows, cols = entries.Cols, order = entries.Order;
        for (int j = from; j < to; j++)
        {
            int i = order[j];
            sums[i] += TensorPrimitives.Dot(g.Slice(rows[i] * span, span), x.Slice(cols[i] * span, span));
        }
    }
}
