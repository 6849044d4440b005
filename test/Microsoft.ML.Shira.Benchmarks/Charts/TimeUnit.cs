using System.Globalization;

/// <summary>A unit of time for axes and labels.</summary>
/// <param name="Symbol">ns, µs, ms or s.</param>
/// <param name="Nanoseconds">How many nanoseconds one unit is.</param>
public sealed record TimeUnit(string Symbol, double Nanoseconds)
{
    private static readonly TimeUnit[] All = [new("ns", 1), new("µs", 1e3), new("ms", 1e6), new("s", 1e9)];

    /// <summary>The largest unit in which <paramref name="nanoseconds"/> is at least 1.</summary>
    public static TimeUnit For(double nanoseconds) => All.LastOrDefault(u => nanoseconds >= u.Nanoseconds) ?? All[0];

    /// <summary>A duration with 3–4 significant digits in its own unit, e.g. "749.6 µs", "109.8 ms", "3.778 µs".</summary>
    public static string Format(double nanoseconds)
    {
        var unit = For(nanoseconds);
        double value = nanoseconds / unit.Nanoseconds;
        string format = value >= 100 ? "N1" : value >= 10 ? "N2" : "N3";
        return $"{value.ToString(format, CultureInfo.InvariantCulture)} {unit.Symbol}";
    }
}
