using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.ML.Shira.Evaluation.Fusion;
using Microsoft.ML.Shira.Evaluation.Runs;

namespace Microsoft.ML.Shira.Evaluation.Reporting;

/// <summary>Reads back the CSV files of a finished run (for <c>--report-only</c>), and the command and wall time its results.md recorded.</summary>
internal static partial class CsvReader
{
    public static List<RunResult> Runs(string path) => Rows(path).Select(c => new RunResult(
        c[0], c[1], c[2], Int(c[3]), Int(c[4]), Int(c[5]), Real(c[6]), Real(c[7]), long.Parse(c[8], CultureInfo.InvariantCulture), long.Parse(c[9], CultureInfo.InvariantCulture),
        Real(c[10]), Real(c[11]), Real(c[12]), c.Count > 13 ? c[13] : "")).ToList();

    public static List<FusionRow> Fusion(string path) =>
        File.Exists(path) ? Rows(path).Select(c => new FusionRow(c[0], c[1], Int(c[2]), Real(c[3]), Real(c[4]))).ToList() : [];

    public static List<OverlapRow> Overlap(string path) =>
        File.Exists(path) ? Rows(path).Select(c => new OverlapRow(c[0], c[1], c[2], Int(c[3]), Real(c[4]), Real(c[5]), Real(c[6]), Real(c[7]))).ToList() : [];

    /// <summary>The command and wall time recorded in a previous results.md, if any.</summary>
    public static (string? Command, TimeSpan? Elapsed) Recorded(string resultsMarkdown)
    {
        if (!File.Exists(resultsMarkdown))
            return (null, null);
        string text = File.ReadAllText(resultsMarkdown);
        var command = CommandPattern().Match(text);
        var minutes = MinutesPattern().Match(text);
        return (command.Success ? command.Groups[1].Value : null,
            minutes.Success ? TimeSpan.FromMinutes(Real(minutes.Groups[1].Value)) : null);
    }

    private static IEnumerable<List<string>> Rows(string path) => File.ReadLines(path).Skip(1).Where(l => l.Length > 0).Select(Split);

    private static List<string> Split(string line)
    {
        using var parser = new Microsoft.VisualBasic.FileIO.TextFieldParser(new StringReader(line)) { HasFieldsEnclosedInQuotes = true, TrimWhiteSpace = false };
        parser.SetDelimiters(",");
        return (parser.ReadFields() ?? [""]).ToList();
    }

    private static int Int(string s) => int.Parse(s, CultureInfo.InvariantCulture);

    private static double Real(string s) => double.Parse(s, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"- Command: `([^`]*)`")]
    private static partial Regex CommandPattern();

    [GeneratedRegex(@"total wall time ([\d.]+) min")]
    private static partial Regex MinutesPattern();
}
