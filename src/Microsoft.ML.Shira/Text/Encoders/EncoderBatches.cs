namespace Microsoft.ML.Shira.Text.Encoders;

/// <summary>Frames, truncates and pads tokenized texts into a <see cref="TokenizedBatch"/> the way Hugging Face tokenizers do.</summary>
internal static class EncoderBatches
{
    /// <summary>Single texts: <c>Start a End</c>, <c>a</c> truncated to fit <paramref name="maxLength"/>.</summary>
    /// <exception cref="ArgumentException">A text is null, or the batch is empty.</exception>
    public static TokenizedBatch Single(IReadOnlyList<string> texts, Func<string, IReadOnlyList<int>> tokenize, EncoderSpecialTokens specials,
        int maxLength, PaddingStrategy padding)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var rows = new List<(int[] Ids, int FirstLength)>(texts.Count);
        foreach (var text in texts)
        {
            var tokens = tokenize(text ?? throw new ArgumentException("A text is null.", nameof(texts)));
            rows.Add(Assemble(Truncate(tokens, maxLength - specials.SingleOverhead), null, specials));
        }
        return Pad(rows, specials, maxLength, padding);
    }

    /// <summary>Text pairs, truncated longest-first: the last token of the longer text (the second on ties) goes until both fit.</summary>
    /// <exception cref="ArgumentNullException">A text of a pair is null.</exception>
    /// <exception cref="ArgumentException">The batch is empty.</exception>
    public static TokenizedBatch Pairs(IReadOnlyList<(string First, string Second)> pairs, Func<string, IReadOnlyList<int>> tokenize,
        EncoderSpecialTokens specials, int maxLength, PaddingStrategy padding)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var rows = new List<(int[] Ids, int FirstLength)>(pairs.Count);
        foreach (var (firstText, secondText) in pairs)
        {
            ArgumentNullException.ThrowIfNull(firstText, nameof(pairs));
            ArgumentNullException.ThrowIfNull(secondText, nameof(pairs));
            var a = tokenize(firstText).ToList();
            var b = tokenize(secondText).ToList();
            while (a.Count + b.Count > maxLength - specials.PairOverhead)
            {
                if (a.Count > b.Count)
                    a.RemoveAt(a.Count - 1);
                else
                    b.RemoveAt(b.Count - 1);
            }
            rows.Add(Assemble(a, b, specials));
        }
        return Pad(rows, specials, maxLength, padding);
    }

    private static IReadOnlyList<int> Truncate(IReadOnlyList<int> tokens, int max) =>
        tokens.Count <= max ? tokens : tokens.Take(Math.Max(max, 0)).ToArray();

    /// <summary>The framed ids; <c>FirstLength</c> counts <c>Start a End</c> (the tokens of segment 0).</summary>
    private static (int[] Ids, int FirstLength) Assemble(IReadOnlyList<int> a, IReadOnlyList<int>? b, EncoderSpecialTokens specials)
    {
        var ids = new List<int>(a.Count + (b?.Count ?? 0) + specials.PairOverhead) { specials.Start };
        ids.AddRange(a);
        ids.Add(specials.End);
        int firstLength = ids.Count;
        if (b is not null)
        {
            for (int i = 1; i < specials.PairSeparators; i++)
                ids.Add(specials.End);
            ids.AddRange(b);
            ids.Add(specials.End);
        }
        return (ids.ToArray(), firstLength);
    }

    private static TokenizedBatch Pad(List<(int[] Ids, int FirstLength)> rows, EncoderSpecialTokens specials, int maxLength, PaddingStrategy padding)
    {
        if (rows.Count == 0)
            throw new ArgumentException("The batch is empty.");
        int length = padding == PaddingStrategy.MaxLength ? maxLength : rows.Max(r => r.Ids.Length);
        var ids = new long[rows.Count * length];
        var mask = new long[rows.Count * length];
        var types = new long[rows.Count * length];
        var lengths = new int[rows.Count];
        Array.Fill(ids, specials.Pad);
        for (int r = 0; r < rows.Count; r++)
        {
            var (rowIds, first) = rows[r];
            int offset = r * length;
            for (int t = 0; t < rowIds.Length; t++)
            {
                ids[offset + t] = rowIds[t];
                mask[offset + t] = 1;
                types[offset + t] = t >= first && specials.SecondSegmentTypeOne ? 1 : 0;
            }
            lengths[r] = rowIds.Length;
        }
        return new TokenizedBatch(rows.Count, length, ids, mask, types, lengths);
    }
}
