using Microsoft.ML.Shira.TextGeneration.Training;

namespace Microsoft.ML.Shira.TextGeneration.Data;

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
