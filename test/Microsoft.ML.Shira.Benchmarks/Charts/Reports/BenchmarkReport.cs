/// <summary>One row of a BenchmarkDotNet CSV report: one method at one parameter set.</summary>
/// <param name="Method">The benchmark method's name.</param>
/// <param name="Parameters">The parameter set as "Name=value" pairs joined by ", "; empty when the class has none.</param>
/// <param name="MedianNanoseconds">The median time per operation, in nanoseconds.</param>
/// <param name="MeanNanoseconds">The mean time per operation, in nanoseconds, when the report has it.</param>
/// <param name="Ratio">BenchmarkDotNet's ratio to the baseline, when the report has one for this row.</param>
/// <param name="RatioText">The Ratio cell as BenchmarkDotNet printed it (e.g. "0.007"); empty when the report has no Ratio column.</param>
public sealed record BenchmarkResult(string Method, string Parameters, double MedianNanoseconds, double? MeanNanoseconds, double? Ratio,
    string RatioText);

/// <summary>A parsed <c>*-report.csv</c> of one benchmark class, rows in the report's order.</summary>
/// <param name="ClassName">The benchmark class, from the file name (<c>SwitchBenchmarks-report.csv</c>).</param>
/// <param name="ParameterNames">The columns that tell the rows' parameter sets apart (empty when there is one set).</param>
/// <param name="Results">The rows.</param>
public sealed record BenchmarkReport(string ClassName, IReadOnlyList<string> ParameterNames, IReadOnlyList<BenchmarkResult> Results)
{
    /// <summary>The distinct parameter sets, in natural order: digit runs compare as numbers (Shape=384x384 before Shape=1536x384).</summary>
    public IReadOnlyList<string> ParameterSets => Results.Select(r => r.Parameters).Distinct().Order(NaturalComparer.Instance).ToList();

    /// <summary>The distinct methods, in the order they first appear.</summary>
    public IReadOnlyList<string> Methods => Results.Select(r => r.Method).Distinct().ToList();

    /// <summary>The rows of one parameter set.</summary>
    public IReadOnlyList<BenchmarkResult> In(string parameterSet) => Results.Where(r => r.Parameters == parameterSet).ToList();
}
