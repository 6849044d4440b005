namespace Microsoft.ML.Shira.Training;

/// <summary>The training batches of each epoch, as the loop reads them.</summary>
internal interface IEpochBatches<out TBatch>
{
    /// <summary>Batches per epoch.</summary>
    int Count { get; }

    /// <summary>Training rows in all batches.</summary>
    int Rows { get; }

    /// <summary>The 0-based row numbers (in the training data) of batch <paramref name="batchIndex"/> of 1-based <paramref name="epoch"/>.</summary>
    IReadOnlyList<int> RowsOf(int epoch, int batchIndex);

    /// <summary>The batches of 1-based <paramref name="epoch"/>, in that epoch's order.</summary>
    IEnumerable<TBatch> Epoch(int epoch);
}

/// <summary>
/// Rows split into batches of <c>batchSize</c>, in a new seeded shuffled order every epoch (Fisher–Yates). The orders
/// are drawn in epoch order from one <see cref="Random"/>, so epoch <c>e</c> always has the same order for a seed,
/// whichever epochs were read before (calibration reads epoch 1 before training does).
/// </summary>
/// <typeparam name="TRow">A training row.</typeparam>
/// <typeparam name="TBatch">A batch, made from consecutive rows of an order.</typeparam>
internal sealed class EpochBatches<TRow, TBatch> : IEpochBatches<TBatch>
{
    private readonly IReadOnlyList<TRow> _rows;
    private readonly int _batchSize;
    private readonly Func<IReadOnlyList<TRow>, TBatch> _makeBatch;
    private readonly Random _random;
    private readonly List<int[]> _orders = new();

    public EpochBatches(IReadOnlyList<TRow> rows, int batchSize, Func<IReadOnlyList<TRow>, TBatch> makeBatch, int seed)
    {
        _rows = rows;
        _batchSize = batchSize;
        _makeBatch = makeBatch;
        _random = new Random(seed);
    }

    /// <inheritdoc />
    public int Rows => _rows.Count;

    /// <inheritdoc />
    public int Count => (_rows.Count + _batchSize - 1) / _batchSize;

    /// <inheritdoc />
    public IEnumerable<TBatch> Epoch(int epoch) => InOrder(_rows, _batchSize, _makeBatch, Order(epoch));

    /// <inheritdoc />
    public IReadOnlyList<int> RowsOf(int epoch, int batchIndex)
    {
        var order = Order(epoch);
        int start = batchIndex * _batchSize;
        return order[start..Math.Min(order.Length, start + _batchSize)];
    }

    private int[] Order(int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(epoch, 1);
        while (_orders.Count < epoch)
        {
            var order = Enumerable.Range(0, _rows.Count).ToArray();
            _random.Shuffle(order);
            _orders.Add(order);
        }
        return _orders[epoch - 1];
    }

    /// <summary>The batches of <paramref name="rows"/> in <paramref name="order"/> (in row order when null).</summary>
    public static IEnumerable<TBatch> InOrder(IReadOnlyList<TRow> rows, int batchSize, Func<IReadOnlyList<TRow>, TBatch> makeBatch, int[]? order = null)
    {
        for (int start = 0; start < rows.Count; start += batchSize)
        {
            int end = Math.Min(start + batchSize, rows.Count);
            yield return makeBatch(Enumerable.Range(start, end - start).Select(i => rows[order?[i] ?? i]).ToList());
        }
    }
}
