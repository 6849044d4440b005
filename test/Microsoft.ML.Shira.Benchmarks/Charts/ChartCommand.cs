/// <summary>
/// <c>--charts RESULTS_DIR OUTPUT_DIR</c>: reads every <c>*-report.csv</c> of BenchmarkDotNet in RESULTS_DIR and writes
/// one PNG per benchmark class, <c>OUTPUT_DIR/ClassName.png</c>. Runs no benchmark.
/// </summary>
public static class ChartCommand
{
    /// <summary>Draws the charts; returns 0, or 1 with a message on standard error when an input is missing or malformed.</summary>
    public static int Run(string[] args)
    {
        if (args.Length != 3)
        {
            Console.Error.WriteLine("usage: --charts RESULTS_DIR OUTPUT_DIR   (e.g. --charts docs/benchmarks/results docs/benchmarks)");
            return 1;
        }
        string results = args[1], output = args[2];
        if (!Directory.Exists(results))
        {
            Console.Error.WriteLine($"error: no directory {results}");
            return 1;
        }
        var files = Directory.GetFiles(results, "*-report.csv").Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0)
        {
            Console.Error.WriteLine($"error: no *-report.csv in {results}");
            return 1;
        }
        List<BenchmarkReport> reports;
        try
        {
            reports = files.Select(BenchmarkCsv.Read).ToList();
        }
        catch (FormatException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
        Directory.CreateDirectory(output);
        foreach (var report in reports)
        {
            string path = Path.Combine(output, report.ClassName + ".png");
            BenchmarkChart.Write(report, path);
            Console.WriteLine($"{path}: {report.Results.Count} rows, {report.ParameterSets.Count} parameter set(s)");
        }
        return 0;
    }
}
