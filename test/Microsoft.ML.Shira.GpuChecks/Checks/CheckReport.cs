using System.Text;

namespace Microsoft.ML.Shira.GpuChecks.Checks;

/// <summary>All check results of one run.</summary>
public sealed class CheckReport(string device, IReadOnlyList<CheckResult> results)
{
    /// <summary>The device asked for.</summary>
    public string Device { get; } = device;

    /// <summary>One result per check, in the order run.</summary>
    public IReadOnlyList<CheckResult> Results { get; } = results;

    /// <summary>Whether every check passed.</summary>
    public bool AllPassed => Results.All(r => r.Passed);

    /// <summary>A markdown report: what ran, on which device, and the runtime it ran on.</summary>
    public string ToMarkdown(ShiraRuntimeInfo runtime)
    {
        var text = new StringBuilder();
        text.AppendLine($"# GPU checks on `{Device}`").AppendLine();
        text.AppendLine(Device.StartsWith("cuda", StringComparison.Ordinal)
            ? "These checks ran on CUDA."
            : "These checks ran on the CPU only: they prove the check logic, not CUDA. The CUDA checks were NOT run here.").AppendLine();
        text.AppendLine("| check | device | result | detail |").AppendLine("|---|---|---|---|");
        foreach (var r in Results)
            text.AppendLine($"| {r.Name} | {r.Device} | {(r.Passed ? "pass" : "FAIL")} | {r.Detail.Replace("|", "\\|", StringComparison.Ordinal)} |");
        text.AppendLine().AppendLine("```").Append(runtime).AppendLine("```");
        return text.ToString();
    }
}
