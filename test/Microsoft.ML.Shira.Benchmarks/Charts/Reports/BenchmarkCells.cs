using System.Globalization;
using System.Text.RegularExpressions;

/// <summary>Parses the cells of a BenchmarkDotNet CSV report: quoted fields, durations with units, ratios.</summary>
public static partial class BenchmarkCells
{
    /// <summary>
    /// A duration such as <c>9,137.4 μs</c>, <c>1.23 ms</c>, <c>2.324 s</c> or <c>512 ns</c>, in nanoseconds. Commas are
    /// thousands separators; the micro unit may be written μs (Greek mu), µs (micro sign) or us.
    /// </summary>
    /// <exception cref="FormatException">The cell is not a number followed by one of ns, μs, µs, us, ms, s.</exception>
    public static double ParseDuration(string cell)
    {
        var match = DurationPattern().Match(cell.Trim());
        if (!match.Success)
            throw new FormatException($"'{cell}' is not a duration (expected a number and one of ns, μs, us, ms, s, e.g. \"9,137.4 μs\")");
        double value = double.Parse(match.Groups[1].Value.Replace(",", "", StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture);
        return value * match.Groups[2].Value switch
        {
            "ns" => 1,
            "μs" or "µs" or "us" => 1e3,
            "ms" => 1e6,
            _ => 1e9,
        };
    }

    /// <summary>
    /// A ratio to the baseline: a plain number (<c>0.05</c>), <c>baseline</c>, or the trend style <c>1.96x faster</c> /
    /// <c>1.96x slower</c>. Null for an empty cell, <c>?</c> or <c>NA</c> (BenchmarkDotNet's "no ratio").
    /// </summary>
    /// <exception cref="FormatException">The cell is none of these.</exception>
    public static double? ParseRatio(string cell)
    {
        string text = cell.Trim();
        if (text.Length == 0 || text == "?" || text.Equals("NA", StringComparison.OrdinalIgnoreCase))
            return null;
        if (text.Equals("baseline", StringComparison.OrdinalIgnoreCase))
            return 1;
        var match = RatioPattern().Match(text);
        if (!match.Success)
            throw new FormatException($"'{cell}' is not a ratio (expected e.g. \"0.05\", \"baseline\" or \"1.96x faster\")");
        double value = double.Parse(match.Groups[1].Value.Replace(",", "", StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture);
        return match.Groups[2].Value.ToLowerInvariant() switch
        {
            "faster" => 1 / value,
            _ => value,
        };
    }

    /// <summary>
    /// Splits one CSV line with the framework's <see cref="Microsoft.VisualBasic.FileIO.TextFieldParser"/>: commas
    /// separate fields, double quotes enclose fields that contain commas, "" is a quote.
    /// </summary>
    /// <exception cref="FormatException">The line is not valid CSV (e.g. a quoted field is not closed).</exception>
    public static List<string> SplitLine(string line)
    {
        using var parser = new Microsoft.VisualBasic.FileIO.TextFieldParser(new StringReader(line)) { HasFieldsEnclosedInQuotes = true, TrimWhiteSpace = false };
        parser.SetDelimiters(",");
        try
        {
            return (parser.ReadFields() ?? [""]).ToList();
        }
        catch (Microsoft.VisualBasic.FileIO.MalformedLineException e)
        {
            throw new FormatException("a quoted field is not closed or a quote is misplaced", e);
        }
    }

    [GeneratedRegex(@"^(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(ns|μs|µs|us|ms|s)$")]
    private static partial Regex DurationPattern();

    [GeneratedRegex(@"^(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?:\s*x\s+(faster|slower))?$", RegexOptions.IgnoreCase)]
    private static partial Regex RatioPattern();
}
