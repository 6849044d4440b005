namespace Microsoft.ML.Shira.Text;

/// <summary>
/// Finds added tokens in text the way Hugging Face's <c>tokenizers</c> does before running the model: leftmost-longest
/// matches, dropped when <c>single_word</c> forbids them, widened over neighbouring whitespace for <c>lstrip</c> /
/// <c>rstrip</c>. The text between matches is returned as plain segments.
/// </summary>
internal sealed class AddedTokenMatcher
{
    private readonly Dictionary<char, AddedToken[]> _byFirstChar;

    /// <summary>Matches <paramref name="tokens"/> (a later token with the same content replaces an earlier one).</summary>
    public AddedTokenMatcher(IEnumerable<AddedToken> tokens)
    {
        var unique = new Dictionary<string, AddedToken>(StringComparer.Ordinal);
        foreach (var token in tokens)
            unique[token.Content] = token;
        _byFirstChar = unique.Values
            .GroupBy(t => t.Content[0])
            .ToDictionary(g => g.Key, g => g.OrderByDescending(t => t.Content.Length).ToArray());
    }

    /// <summary>True when there is nothing to match.</summary>
    public bool IsEmpty => _byFirstChar.Count == 0;

    /// <summary>
    /// Splits <paramref name="text"/> into segments in order: <c>Token</c> set for a match (its range includes the
    /// whitespace it strips), null for the plain text between matches. Empty plain segments are left out.
    /// </summary>
    public List<(int Start, int Length, AddedToken? Token)> Split(string text)
    {
        var segments = new List<(int, int, AddedToken?)>();
        int done = 0;
        int i = 0;
        while (i < text.Length && !IsEmpty)
        {
            var token = LongestAt(text, i);
            if (token is null)
            {
                i++;
                continue;
            }
            int start = i, stop = i + token.Content.Length;
            if (token.SingleWord && ((start > 0 && IsWordChar(text[start - 1])) || (stop < text.Length && IsWordChar(text[stop]))))
            {
                // Hugging Face drops the match and scans on after it.
                i = stop;
                continue;
            }
            if (token.LStrip)
            {
                while (start > done && char.IsWhiteSpace(text[start - 1]))
                    start--;
            }
            if (token.RStrip)
            {
                while (stop < text.Length && char.IsWhiteSpace(text[stop]))
                    stop++;
            }
            if (start > done)
                segments.Add((done, start - done, null));
            segments.Add((start, stop - start, token));
            done = i = stop;
        }
        if (done < text.Length)
            segments.Add((done, text.Length - done, null));
        return segments;
    }

    private AddedToken? LongestAt(string text, int i)
    {
        if (!_byFirstChar.TryGetValue(text[i], out var candidates))
            return null;
        foreach (var token in candidates)
        {
            if (text.AsSpan(i).StartsWith(token.Content, StringComparison.Ordinal))
                return token;
        }
        return null;
    }

    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_';
}
