namespace Microsoft.ML.Shira.Adapters;

/// <summary>
/// The sparse update of one weight matrix: <c>S[Rows[i], Columns[i]] = Values[i]</c>, all other entries zero.
/// Indices are in row-major order of the <c>[OutFeatures, InFeatures]</c> weight of a <c>Linear</c> layer
/// (Hugging Face PEFT's <c>shira_indices</c> layout).
/// </summary>
public sealed class SparseAdapterLayer
{
    /// <summary>Creates a layer update; validates shapes and index ranges.</summary>
    /// <param name="modulePath">Hugging Face module path of the adapted layer, e.g. <c>encoder.layer.0.attention.self.query</c>.</param>
    /// <param name="outFeatures">Rows of the weight matrix.</param>
    /// <param name="inFeatures">Columns of the weight matrix.</param>
    /// <param name="rows">Row index of every entry.</param>
    /// <param name="columns">Column index of every entry.</param>
    /// <param name="values">Value of every entry (the difference to the base weight).</param>
    public SparseAdapterLayer(string modulePath, long outFeatures, long inFeatures, int[] rows, int[] columns, float[] values)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modulePath);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(values);
        if (outFeatures <= 0 || inFeatures <= 0)
            throw new ArgumentOutOfRangeException(nameof(outFeatures), $"Layer '{modulePath}': shape [{outFeatures}, {inFeatures}] must be positive.");
        if (rows.Length != values.Length || columns.Length != values.Length)
            throw new ArgumentException($"Layer '{modulePath}': {rows.Length} row indices, {columns.Length} column indices and {values.Length} values; all three must have the same length.");
        for (int i = 0; i < values.Length; i++)
        {
            if ((uint)rows[i] >= outFeatures || (uint)columns[i] >= inFeatures)
                throw new ArgumentOutOfRangeException(nameof(rows), $"Layer '{modulePath}': entry {i} at ({rows[i]}, {columns[i]}) is outside the weight shape [{outFeatures}, {inFeatures}].");
        }
        ModulePath = modulePath;
        OutFeatures = outFeatures;
        InFeatures = inFeatures;
        Rows = rows;
        Columns = columns;
        Values = values;
    }

    /// <summary>Hugging Face module path of the adapted layer.</summary>
    public string ModulePath { get; }

    /// <summary>Rows of the adapted weight (<c>out_features</c>).</summary>
    public long OutFeatures { get; }

    /// <summary>Columns of the adapted weight (<c>in_features</c>).</summary>
    public long InFeatures { get; }

    /// <summary>Row index of each entry.</summary>
    public int[] Rows { get; }

    /// <summary>Column index of each entry.</summary>
    public int[] Columns { get; }

    /// <summary>Value of each entry.</summary>
    public float[] Values { get; }

    /// <summary>Number of stored entries (k).</summary>
    public int Count => Values.Length;

    /// <summary>Row-major flat positions <c>row * InFeatures + column</c> of the entries.</summary>
    public long[] FlatIndices()
    {
        var flat = new long[Count];
        for (int i = 0; i < flat.Length; i++)
            flat[i] = (long)Rows[i] * InFeatures + Columns[i];
        return flat;
    }

    /// <summary>Builds a layer from row-major flat positions.</summary>
    public static SparseAdapterLayer FromFlatIndices(string modulePath, long outFeatures, long inFeatures, long[] flatIndices, float[] values)
    {
        ArgumentNullException.ThrowIfNull(flatIndices);
        var rows = new int[flatIndices.Length];
        var columns = new int[flatIndices.Length];
        for (int i = 0; i < flatIndices.Length; i++)
        {
            if (flatIndices[i] < 0 || flatIndices[i] >= outFeatures * inFeatures)
                throw new ArgumentOutOfRangeException(nameof(flatIndices), $"Layer '{modulePath}': flat index {flatIndices[i]} is outside [0, {outFeatures * inFeatures}).");
            rows[i] = (int)(flatIndices[i] / inFeatures);
            columns[i] = (int)(flatIndices[i] % inFeatures);
        }
        return new SparseAdapterLayer(modulePath, outFeatures, inFeatures, rows, columns, values);
    }
}
