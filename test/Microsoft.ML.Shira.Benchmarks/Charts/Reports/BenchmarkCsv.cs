/// <summary>
/// Reads a BenchmarkDotNet <c>*-report.csv</c>. Its columns are Method, Job, the job's characteristics, the [Params]
/// properties, then the statistics (Mean, Error, StdDev, Median, Ratio, …). The columns between Method and the first
/// statistic whose values differ between rows tell the parameter sets apart (with one job, exactly the [Params]).
/// </summary>
public static class BenchmarkCsv
{
    private const string ReportSuffix = "-report.csv";
    private static readonly string[] Statistics = ["Mean", "Error", "StdDev", "Median", "Ratio", "RatioSD"];

    /// <summary>Reads one report file; the class name comes from the file name.</summary>
    /// <exception cref="FormatException">The file is not a BenchmarkDotNet CSV report; the message names the file and line.</exception>
    public static BenchmarkReport Read(string path)
    {
        try
        {
            return Parse(ClassNameOf(path), File.ReadAllLines(path));
        }
        catch (FormatException e)
        {
            throw new FormatException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>The benchmark class a report file belongs to: <c>SwitchBenchmarks-report.csv</c> → <c>SwitchBenchmarks</c>.</summary>
    public static string ClassNameOf(string path)
    {
        string name = Path.GetFileName(path);
        return name.EndsWith(ReportSuffix, StringComparison.OrdinalIgnoreCase) ? name[..^ReportSuffix.Length] : Path.GetFileNameWithoutExtension(name);
    }

    /// <summary>Parses the lines of a report (header first; blank lines are skipped).</summary>
    /// <exception cref="FormatException">A required column is missing, a row has the wrong number of cells, or a cell does not parse.</exception>
    public static BenchmarkReport Parse(string className, IReadOnlyList<string> lines)
    {
        var numbered = lines.Select((text, i) => (Text: text, Number: i + 1)).Where(l => l.Text.Trim().Length > 0).ToList();
        if (numbered.Count == 0)
            throw new FormatException("the file is empty");
        var header = BenchmarkCells.SplitLine(numbered[0].Text).Select(h => h.Trim()).ToList();
        int method = Required(header, "Method"), median = Required(header, "Median");
        int mean = header.IndexOf("Mean"), ratio = header.IndexOf("Ratio");
        int firstStatistic = header.Select((name, i) => (name, i)).Where(c => Statistics.Contains(c.name)).Min(c => c.i);

        var rows = new List<(List<string> Cells, int Number)>();
        foreach (var (text, number) in numbered.Skip(1))
        {
            var cells = Cells(text, number);
            if (cells.Count != header.Count)
                throw new FormatException($"line {number}: {cells.Count} cells, but the header has {header.Count}");
            if (cells[method].Trim().Length == 0)
                throw new FormatException($"line {number}: the Method cell is empty");
            rows.Add((cells, number));
        }
        if (rows.Count == 0)
            throw new FormatException("the report has a header but no rows");

        var parameters = Enumerable.Range(method + 1, Math.Max(0, firstStatistic - method - 1))
            .Where(c => rows.Select(r => r.Cells[c]).Distinct().Count() > 1).ToList();
        var results = rows.Select(r => Row(r.Cells, r.Number, header, parameters, method, median, mean, ratio)).ToList();
        return new BenchmarkReport(className, parameters.Select(c => header[c]).ToList(), results);
    }

    private static BenchmarkResult Row(List<string> cells, int number, List<string> header, List<int> parameters, int method, int median, int mean, int ratio)
    {
        try
        {
            string set = string.Join(", ", parameters.Select(c => $"{header[c]}={cells[c]}"));
            double? meanNs = mean >= 0 ? BenchmarkCells.ParseDuration(cells[mean]) : null;
            string ratioText = ratio >= 0 ? cells[ratio].Trim() : "";
            return new BenchmarkResult(cells[method].Trim(), set, BenchmarkCells.ParseDuration(cells[median]), meanNs,
                ratio >= 0 ? BenchmarkCells.ParseRatio(ratioText) : null, ratioText);
        }
        catch (FormatException e)
        {
            throw new FormatException($"line {number}: {e.Message}", e);
        }
    }

    private static List<string> Cells(string text, int number)
    {
        try
        {
            return BenchmarkCells.SplitLine(text);
        }
        catch (FormatException e)
        {
            throw new FormatException($"line {number}: {e.Message}", e);
        }
    }

    private static int Required(List<string> header, string column)
    {
        int index = header.IndexOf(column);
        return index >= 0 ? index : throw new FormatException($"line 1: no '{column}' column (is this a BenchmarkDotNet *-report.csv?)");
    }
}
