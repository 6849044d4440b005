namespace Microsoft.ML.Shira.Text;

/// <summary>
/// A tokenized, padded batch as flat row-major <c>[BatchSize, SequenceLength]</c> int64 arrays
/// (the layout of ONNX Runtime and TorchSharp inputs).
/// </summary>
internal sealed class TokenizedBatch
{
    internal TokenizedBatch(int batchSize, int sequenceLength, long[] inputIds, long[] attentionMask, long[] tokenTypeIds, int[] lengths)
    {
        BatchSize = batchSize;
        SequenceLength = sequenceLength;
        InputIds = inputIds;
        AttentionMask = attentionMask;
        TokenTypeIds = tokenTypeIds;
        Lengths = lengths;
    }

    /// <summary>Number of rows.</summary>
    public int BatchSize { get; }

    /// <summary>Padded length of every row.</summary>
    public int SequenceLength { get; }

    /// <summary>Token ids, row-major.</summary>
    public IReadOnlyList<long> InputIds { get; }

    /// <summary>1 for real tokens, 0 for padding, row-major.</summary>
    public IReadOnlyList<long> AttentionMask { get; }

    /// <summary>Segment ids, row-major.</summary>
    public IReadOnlyList<long> TokenTypeIds { get; }

    /// <summary>Number of real (non-padding) tokens of each row, special tokens included.</summary>
    public IReadOnlyList<int> Lengths { get; }

    /// <summary>The ids of row <paramref name="row"/> without padding.</summary>
    public long[] RowIds(int row)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, BatchSize);
        return InputIds.Skip(row * SequenceLength).Take(Lengths[row]).ToArray();
    }

    /// <summary>Creates the <c>[B, T]</c> int64 tensors on <paramref name="device"/> (CPU when null).</summary>
    public BertInputs ToTensors(Device? device = null)
    {
        long[] shape = [BatchSize, SequenceLength];
        var ids = tensor(InputIds.ToArray(), shape, device: device);
        var mask = tensor(AttentionMask.ToArray(), shape, device: device);
        var types = tensor(TokenTypeIds.ToArray(), shape, device: device);
        return new BertInputs(ids, mask, types);
    }
}
