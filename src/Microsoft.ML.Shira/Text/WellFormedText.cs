using System.Text;

namespace Microsoft.ML.Shira.Text;

/// <summary>
/// Makes a .NET string well-formed UTF-16 before tokenizers that normalize it: a lone surrogate (what a cut surrogate
/// pair or a lenient decoder leaves behind) becomes U+FFFD, as decoding the same bytes as UTF-8 would give. Without
/// this, Unicode normalization throws on such text.
/// </summary>
internal static class WellFormedText
{
    /// <summary><paramref name="text"/> itself when it is well-formed, else a copy with each lone surrogate replaced by U+FFFD.</summary>
    public static string Repair(string text)
    {
        int first = FirstLoneSurrogate(text);
        if (first < 0)
            return text;
        var repaired = new StringBuilder(text.Length);
        repaired.Append(text, 0, first);
        for (int i = first; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                repaired.Append(c).Append(text[++i]);
            }
            else
            {
                repaired.Append(char.IsSurrogate(c) ? '\uFFFD' : c);
            }
        }
        return repaired.ToString();
    }

    private static int FirstLoneSurrogate(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (!char.IsSurrogate(c))
                continue;
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }
            return i;
        }
        return -1;
    }
}
