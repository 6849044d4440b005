using System.Reflection;
using BenchmarkDotNet.Attributes;

/// <summary>Which method of a report is the baseline that BenchmarkDotNet's Ratio column divides by.</summary>
public static class BaselineMethods
{
    /// <summary>
    /// The method marked <c>[Benchmark(Baseline = true)]</c> when the class is in this assembly; otherwise the first
    /// method of the parameter set whose ratio is exactly 1. Null when the report has no ratios.
    /// </summary>
    public static string? Find(BenchmarkReport report, string parameterSet)
    {
        var rows = report.In(parameterSet);
        var type = typeof(BaselineMethods).Assembly.GetTypes().FirstOrDefault(t => t.Name == report.ClassName);
        string? declared = type?.GetMethods()
            .FirstOrDefault(m => m.GetCustomAttribute<BenchmarkAttribute>() is { Baseline: true })?.Name;
        if (declared is not null && rows.Any(r => r.Method == declared))
            return declared;
        return rows.FirstOrDefault(r => r.Ratio == 1)?.Method;
    }
}
