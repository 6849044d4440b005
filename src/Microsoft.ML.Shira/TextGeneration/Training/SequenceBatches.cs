using static TorchSharp.torch;

namespace Microsoft.ML.Shira.TextGeneration.Training;

/// <summary>
/// A right-padded batch of token sequences on the CPU. <see cref="Labels"/> holds the target id at every target
/// position and <see cref="IgnoreIndex"/> elsewhere (context and padding).
/// </summary>
internal sealed record SequenceBatch(long[] Ids, long[] Labels, int Rows, int Length, long Tokens, long Targets)
{
    /// <summary>Label of positions that are not predicted (cross-entropy's <c>ignore_index</c>).</summary>
    public const long IgnoreIndex = -100;

    /// <summary>Ids and labels <c>[Rows, Length]</c> in the caller's dispose scope.</summary>
    public (Tensor Ids, Tensor Labels) ToTensors(Device device) =>
        (tensor(Ids, [Rows, Length], device: device), tensor(Labels, [Rows, Length], device: device));

    /// <summary>Pads <paramref name="sequences"/> to the longest one.</summary>
    public static SequenceBatch Create(IReadOnlyList<TokenSequence> sequences)
    {
        int rows = sequences.Count, length = sequences.Max(s => s.Ids.Length);
        var ids = new long[rows * length];
        var labels = new long[rows * length];
        Array.Fill(labels, IgnoreIndex);
        long tokens = 0, targets = 0;
        for (int r = 0; r < rows; r++)
        {
            var sequence = sequences[r];
            for (int t = 0; t < sequence.Ids.Length; t++)
            {
                ids[r * length + t] = sequence.Ids[t];
                if (t >= sequence.FirstTarget)
                    labels[r * length + t] = sequence.Ids[t];
            }
            tokens += sequence.Ids.Length;
            targets += sequence.Targets;
        }
        return new SequenceBatch(ids, labels, rows, length, tokens, targets);
    }
}

/// <summary>Splits sequences into padded batches, in order or in a seeded shuffled order.</summary>
internal sealed class SequenceBatches
{
    private readonly IReadOnlyList<TokenSequence> _sequences;
    private readonly int _batchSize;

    public SequenceBatches(IReadOnlyList<TokenSequence> sequences, int batchSize)
    {
        _sequences = sequences;
        _batchSize = batchSize;
    }

    /// <summary>Sequences in all batches.</summary>
    public int Rows => _sequences.Count;

    /// <summary>Batches per pass.</summary>
    public int Count => (_sequences.Count + _batchSize - 1) / _batchSize;

    /// <summary>A random order of the sequences (Fisher–Yates with <paramref name="random"/>).</summary>
    public int[] Shuffle(Random random)
    {
        var order = Enumerable.Range(0, _sequences.Count).ToArray();
        random.Shuffle(order);
        return order;
    }

    /// <summary>The batches of one pass in the given order (in data order when null).</summary>
    public IEnumerable<SequenceBatch> Pass(int[]? order = null)
    {
        for (int start = 0; start < _sequences.Count; start += _batchSize)
        {
            int end = Math.Min(start + _batchSize, _sequences.Count);
            yield return SequenceBatch.Create(Enumerable.Range(start, end - start).Select(i => _sequences[order?[i] ?? i]).ToList());
        }
    }
}
