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

    /// <summary>Single texts framed by <paramref name="template"/>, each truncated to fit <paramref name="maxLength"/>, padded (type ids 0).</summary>
    /// <exception cref="ArgumentException">The batch is empty or holds a null text.</exception>
    public static TokenizedBatch Singles(IReadOnlyList<string> texts, Func<string, IReadOnlyList<int>> tokenize, SpecialTokenTemplate template,
        int maxLength, int padTokenId, PaddingStrategy padding)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var rows = new List<(int[] Ids, int FirstLength)>(texts.Count);
        foreach (var text in texts)
        {
            var ids = template.Apply(Truncate(tokenize(text ?? throw new ArgumentException("A text is null.", nameof(texts))), maxLength - template.SingleCount));
            rows.Add((ids, ids.Length));
        }
        return Pad(rows, padding, maxLength, padTokenId, secondTextTypeOne: false);
    }

    /// <summary>
    /// Text pairs framed by <paramref name="template"/>, truncated longest-first, padded; type ids are 1 after
    /// <c>PairMiddle</c> when <paramref name="secondTextTypeOne"/> (BERT), else all 0 (RoBERTa).
    /// </summary>
    /// <exception cref="ArgumentException">The batch is empty.</exception>
    public static TokenizedBatch Pairs(IReadOnlyList<(string First, string Second)> pairs, Func<string, IReadOnlyList<int>> tokenize,
        SpecialTokenTemplate template, int maxLength, int padTokenId, PaddingStrategy padding, bool secondTextTypeOne = false)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var rows = new List<(int[] Ids, int FirstLength)>(pairs.Count);
        foreach (var (firstText, secondText) in pairs)
        {
            ArgumentNullException.ThrowIfNull(firstText, nameof(pairs));
            ArgumentNullException.ThrowIfNull(secondText, nameof(pairs));
            var a = tokenize(firstText).ToList();
            var b = tokenize(secondText).ToList();
            TruncateLongestFirst(a, b, maxLength - template.PairCount);
            rows.Add((template.Apply(a, b, out int first), first));
        }
        return Pad(rows, padding, maxLength, padTokenId, secondTextTypeOne);
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
