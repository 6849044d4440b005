namespace Microsoft.ML.Shira.Adapters.Layers;

/// <summary>
/// The k fixed positions of a SHiRA layer as managed arrays, for the CPU value-gradient kernel: row and column of
/// every entry, and the entries in row-major order (so consecutive dot products reuse the same output-gradient row).
/// </summary>
internal sealed class ShiraEntries
{
    private ShiraEntries(int[] rows, int[] cols, int[] order)
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

    /// <summary>Splits row-major positions of a <c>[*, inFeatures]</c> matrix.</summary>
    public static ShiraEntries FromFlat(ReadOnlySpan<long> flat, long inFeatures)
    {
        var rows = new int[flat.Length];
        var cols = new int[flat.Length];
        for (int i = 0; i < flat.Length; i++)
        {
            rows[i] = checked((int)(flat[i] / inFeatures));
            cols[i] = (int)(flat[i] % inFeatures);
        }
        var order = Enumerable.Range(0, flat.Length).ToArray();
        var keys = flat.ToArray();
        Array.Sort(keys, order);
        return new ShiraEntries(rows, cols, order);
    }
}
