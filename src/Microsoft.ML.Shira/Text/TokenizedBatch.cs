namespace Microsoft.ML.Shira.Text;

/// <summary>
/// A tokenized, padded batch as flat row-major <c>[BatchSize, SequenceLength]</c> int64 arrays
/// (the layout of ONNX Runtime and TorchSharp inputs).
/// </summary>
/// <param name="BatchSize">Number of rows.</param>
/// <param name="SequenceLength">Padded length of every row.</param>
/// <param name="InputIds">Token ids, row-major.</param>
/// <param name="AttentionMask">1 for real tokens, 0 for padding, row-major.</param>
/// <param name="TokenTypeIds">Segment ids, row-major.</param>
/// <param name="Lengths">Number of real (non-padding) tokens of each row, special tokens included.</param>
internal sealed record TokenizedBatch(
    int BatchSize, int SequenceLength, IReadOnlyList<long> InputIds, IReadOnlyList<long> AttentionMask, IReadOnlyList<long> TokenTypeIds, IReadOnlyList<int> Lengths)
{
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
