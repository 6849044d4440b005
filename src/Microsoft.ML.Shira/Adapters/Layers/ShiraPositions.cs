using Microsoft.ML.Shira.Runtime;

namespace Microsoft.ML.Shira.Adapters.Layers;

/// <summary>
/// The k fixed positions of a SHiRA layer as managed arrays, for the CPU value-gradient kernel: row and column of
/// every entry, and the entries in row-major order (so consecutive dot products reuse the same output-gradient row).
/// </summary>
internal sealed class ShiraPositions
{
    private ShiraPositions(int[] rows, int[] cols, int[] order)
    {
        Rows = rows;
        Cols = cols;
        Order = order;
    }

    /// <summary>Row (output feature) of entry i.</summary>
    public int[] Rows { get; }

    /// <summary>Column (input feature) of entry i.</summary>
    public int[] Cols { get; }

    /// <summary>Entry numbers sorted by row-major position.</summary>
    public int[] Order { get; }

    /// <summary>Number of entries.</summary>
    public int Count => Rows.Length;

    /// <summary>Splits the row-major positions <paramref name="flat"/> (1-D int64) of a <c>[*, inFeatures]</c> matrix.</summary>
    /// <remarks>
    /// The split and sort run as tensor ops and each array is copied out once, so a layer's setup leaves no k-sized
    /// managed garbage behind (the managed int64 copies it used to make were 16 bytes per value).
    /// </remarks>
    public static ShiraPositions FromTensor(Tensor flat, long inFeatures)
    {
        using var scope = NewDisposeScope();
        var cpu = flat.cpu();
        if (cpu.numel() > 0 && cpu.max().item<long>() / inFeatures > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(flat), "SHiRA rows must fit in 32 bits.");
        int[] rows = TorchScalars.With(inFeatures, n => cpu.div(n, rounding_mode: RoundingMode.floor)).to(ScalarType.Int32).data<int>().ToArray();
        int[] cols = TorchScalars.With(inFeatures, cpu.remainder).to(ScalarType.Int32).data<int>().ToArray();
        int[] order = cpu.argsort().to(ScalarType.Int32).data<int>().ToArray();
        return new ShiraPositions(rows, cols, order);
    }
}
