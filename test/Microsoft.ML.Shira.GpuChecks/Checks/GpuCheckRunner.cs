using System.Diagnostics;
using TorchSharp;

namespace Microsoft.ML.Shira.GpuChecks.Checks;

/// <summary>Runs every GPU correctness check on one device and prints one line per check.</summary>
public static class GpuCheckRunner
{
    /// <summary>The checks, by name.</summary>
    public static IReadOnlyList<(string Name, Func<CheckContext, string> Run)> All { get; } =
    [
        ("switching bit-exact, float32", c => SwitchingCheck.Run(c, torch.ScalarType.Float32)),
        ("switching bit-exact, bfloat16", c => SwitchingCheck.Run(c, torch.ScalarType.BFloat16)),
        ("switching bit-exact, float16", c => SwitchingCheck.Run(c, torch.ScalarType.Float16)),
        ("generation training (stories260K, TinyStories)", TrainingChecks.Generation),
        ("classification training (stories260K + head, SST-2)", TrainingChecks.Classification),
        ("CPU and device logits agree (stories260K + adapter)", LogitsCheck.Stories),
        ("device logits match transformers+PEFT references (llama-untied-gqa)", LogitsCheck.PeftReference),
        ("adapter saved from the device loads on the CPU", c => AdapterTransferCheck.Run(c, trainOnDevice: true)),
        ("adapter saved from the CPU loads on the device", c => AdapterTransferCheck.Run(c, trainOnDevice: false)),
        ("sparse gradient path = dense path, float32", GradientPathCheck.Run),
        ("ml.Shira() text generation in bfloat16, saved and reloaded", EstimatorPrecisionCheck.Run),
    ];

    /// <summary>Runs the checks (all, or those whose name contains <paramref name="filter"/>).</summary>
    public static CheckReport Run(CheckContext context, TextWriter log, string? filter = null)
    {
        string device = context.Device.ToString();
        log.WriteLine(context.IsCpu
            ? $"Running the GPU checks on the CPU ({device}): this proves the check logic only; the CUDA checks are NOT run."
            : $"Running the GPU checks on {device}.");
        var results = new List<CheckResult>();
        foreach (var (name, run) in All.Where(c => filter is null || c.Name.Contains(filter, StringComparison.OrdinalIgnoreCase)))
        {
            var watch = Stopwatch.StartNew();
            CheckResult result;
            try
            {
                using var scope = torch.NewDisposeScope();
                result = new CheckResult(name, device, true, $"{run(context)} ({watch.Elapsed.TotalSeconds:F1} s)");
            }
            catch (Exception ex)
            {
                result = new CheckResult(name, device, false, $"{ex.GetType().Name}: {ex.Message}");
            }
            results.Add(result);
            log.WriteLine($"[{(result.Passed ? "pass" : "FAIL")}] {name} on {device}: {result.Detail}");
        }
        var report = new CheckReport(device, results);
        log.WriteLine($"{results.Count(r => r.Passed)} of {results.Count} checks passed on {device}.");
        return report;
    }
}

/// <summary>A check's failure: what was measured against what was required.</summary>
public sealed class CheckFailedException(string message) : Exception(message);
