using Microsoft.ML.Shira.Runtime;

namespace Microsoft.ML.Shira.Masks;

/// <summary>
/// Deterministic top-k: the positions of the <c>count</c> largest scores, ties at the threshold broken in favour of
/// the lower flat position (<c>torch.topk</c> gives no such guarantee).
/// </summary>
internal static class StableTopK
{
    /// <summary>
    /// Returns the sorted flat positions (int64, on the CPU) of the <paramref name="count"/> largest entries of
    /// <paramref name="scores"/> (any shape, read in row-major order, on any device).
    /// </summary>
    /// <exception cref="ArgumentException">A score is NaN.</exception>
    public static Tensor Select(Tensor scores, long count, string modulePath)
    {
        using var scope = NewDisposeScope();
        var flat = scores.flatten();
        long total = flat.numel();
        if (count < 1 || count > total)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"Layer '{modulePath}': count must be in [1, {total}].");
        if (flat.isnan().any().item<bool>())
            throw new ArgumentException($"Layer '{modulePath}': the scores contain NaN; cannot rank entries.", nameof(scores));

        Tensor chosen;
        if (count == total)
        {
            chosen = TorchScalars.Range(0, total, CPU);
        }
        else
        {
            // The count-th largest value is the (total - count + 1)-th smallest. Everything strictly above it is in;
            // the remaining places go to the entries equal to it, lowest positions first (nonzero is ascending).
            var (threshold, _) = flat.kthvalue(total - count + 1, 0);
            var above = (flat > threshold).nonzero().flatten();
            long fromTies = count - above.numel();
            var ties = (flat == threshold).nonzero().flatten().narrow(0, 0, fromTies);
            chosen = cat([above, ties]);
        }
        var (sorted, _) = chosen.to(ScalarType.Int64, CPU).sort();
        return sorted.MoveToOuterDisposeScope();
    }
}
