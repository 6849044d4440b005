using Microsoft.ML.Shira.Text;

namespace Microsoft.ML.Shira.Decoding;

/// <summary>
/// Turns generated ids into text pieces as they arrive. The text of the generated ids is the decoding of
/// (a few prompt ids + generated ids) minus the decoding of those prompt ids, so word-leading spaces come out right.
/// Text is held back while it ends in an incomplete UTF-8 sequence (U+FFFD) or in the beginning of a stop string.
/// </summary>
internal sealed class IncrementalDetokenizer
{
    private const int ContextIds = 4;
    private readonly ICausalLMTokenizer _tokenizer;
    private readonly IReadOnlyList<string> _stopStrings;
    private readonly int _longestStop;
    private readonly List<int> _ids;
    private readonly string _contextText;
    private int _emitted;
    private int _searchedUpTo;

    public IncrementalDetokenizer(ICausalLMTokenizer tokenizer, IReadOnlyList<int> promptIds, IReadOnlyList<string> stopStrings)
    {
        _tokenizer = tokenizer;
        _stopStrings = stopStrings;
        _longestStop = stopStrings.Count == 0 ? 0 : stopStrings.Max(s => s.Length);
        _ids = promptIds.Skip(Math.Max(0, promptIds.Count - ContextIds)).ToList();
        _contextText = tokenizer.Decode(_ids);
    }

    /// <summary>Text of the generated ids so far (cut before a stop string once one was found).</summary>
    public string Text { get; private set; } = "";

    /// <summary>True once a stop string appeared.</summary>
    public bool StopStringFound { get; private set; }

    /// <summary>Adds a generated id; returns the text that can be shown now (maybe empty).</summary>
    public string Add(int id)
    {
        _ids.Add(id);
        string full = _tokenizer.Decode(_ids);
        int common = CommonPrefixLength(full, _contextText);
        string text = full[common..];

        int from = Math.Max(0, _searchedUpTo - _longestStop + 1);
        int stopAt = -1;
        foreach (string stop in _stopStrings)
        {
            int at = text.IndexOf(stop, from, StringComparison.Ordinal);
            if (at >= 0 && (stopAt < 0 || at < stopAt))
                stopAt = at;
        }
        // Text ending in U+FFFD may still change there, so the next search starts before it.
        _searchedUpTo = text.TrimEnd('\uFFFD').Length;
        if (stopAt >= 0)
        {
            Text = text[..stopAt];
            StopStringFound = true;
            return Flush();
        }
        Text = text;
        return Take(Text.Length - HoldBack(Text));
    }

    /// <summary>Returns all text not shown yet (call when generation ends).</summary>
    public string Flush() => Take(Text.Length);

    private string Take(int limit)
    {
        if (limit <= _emitted)
            return "";
        string piece = Text[_emitted..limit];
        _emitted = limit;
        return piece;
    }

    private int HoldBack(string text)
    {
        int incomplete = 0;
        while (incomplete < text.Length && text[^(incomplete + 1)] == '\uFFFD')
            incomplete++;
        int partialStop = 0;
        foreach (string stop in _stopStrings)
        {
            for (int k = Math.Min(stop.Length - 1, text.Length); k > partialStop; k--)
            {
                if (text.AsSpan(text.Length - k).SequenceEqual(stop.AsSpan(0, k)))
                {
                    partialStop = k;
                    break;
                }
            }
        }
        return Math.Max(incomplete, partialStop);
    }

    private static int CommonPrefixLength(string a, string b)
    {
        int n = Math.Min(a.Length, b.Length), i = 0;
        while (i < n && a[i] == b[i])
            i++;
        return i;
    }
}
