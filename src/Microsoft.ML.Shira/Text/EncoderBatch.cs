namespace Microsoft.ML.Shira.Text;

/// <summary>Truncation and padding shared by the <see cref="IEncoderTokenizer"/> implementations.</summary>
internal static class EncoderBatch
{
    /// <summary>The first <paramref name="max"/> tokens.</summary>
    public static IReadOnlyList<int> Truncate(IReadOnlyList<int> tokens, int max) =>
        tokens.Count <= max ? tokens : tokens.Take(max).ToArray();

    /// <summary>Hugging Face's longest-first: drops the last token of the longer text (the second on ties) until both fit in <paramref name="budget"/>.</summary>
    public static void TruncateLongestFirst(List<int> a, List<int> b, int budget)
    {
        while (a.Count + b.Count > budget)
        {
            if (a.Count > b.Count)
                a.RemoveAt(a.Count - 1);
            else
                b.RemoveAt(b.Count - 1);
        }
    }

    /// <summary>
    /// Pads <paramref name="rows"/> (ids, and how many of them belong to the first text) to the longest row or to
    /// <paramref name="maxLength"/>; type ids are 1 after the first text when <paramref name="secondTextTypeOne"/>, else 0.
    /// </summary>
    public static TokenizedBatch Pad(List<(int[] Ids, int FirstLength)> rows, PaddingStrategy padding, int maxLength, int padTokenId, bool secondTextTypeOne)
    {
        if (rows.Count == 0)
            throw new ArgumentException("The batch is empty.");
        int length = padding == PaddingStrategy.MaxLength ? maxLength : rows.Max(r => r.Ids.Length);
        var ids = new long[rows.Count * length];
        var mask = new long[rows.Count * length];
        var types = new long[rows.Count * length];
        var lengths = new int[rows.Count];
        Array.Fill(ids, padTokenId);
        for (int r = 0; r < rows.Count; r++)
        {
            var (rowIds, first) = rows[r];
            int offset = r * length;
            for (int t = 0; t < rowIds.Length; t++)
            {
                ids[offset + t] = rowIds[t];
                mask[offset + t] = 1;
                types[offset + t] = secondTextTypeOne && t >= first ? 1 : 0;
            }
            lengths[r] = rowIds.Length;
        }
        return new TokenizedBatch(rows.Count, length, ids, mask, types, lengths);
    }
}
