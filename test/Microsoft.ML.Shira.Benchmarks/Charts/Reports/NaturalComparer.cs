using System.Numerics;
using System.Text.RegularExpressions;

/// <summary>Orders strings with their digit runs compared as numbers: "Shape=384x384" before "Shape=1536x384", "Batch=2" before "Batch=10".</summary>
public sealed partial class NaturalComparer : IComparer<string>
{
    /// <summary>The one instance.</summary>
    public static readonly NaturalComparer Instance = new();

    /// <inheritdoc/>
    public int Compare(string? x, string? y)
    {
        if (x is null || y is null)
            return x is null ? (y is null ? 0 : -1) : 1;
        var a = Parts().Matches(x);
        var b = Parts().Matches(y);
        for (int i = 0; i < Math.Min(a.Count, b.Count); i++)
        {
            string p = a[i].Value, q = b[i].Value;
            int order = char.IsAsciiDigit(p[0]) && char.IsAsciiDigit(q[0])
                ? BigInteger.Parse(p).CompareTo(BigInteger.Parse(q))
                : string.CompareOrdinal(p, q);
            if (order != 0)
                return order;
        }
        return a.Count.CompareTo(b.Count);
    }

    [GeneratedRegex(@"\d+|\D+")]
    private static partial Regex Parts();
}
