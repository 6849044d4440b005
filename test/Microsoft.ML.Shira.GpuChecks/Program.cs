using Microsoft.ML.Shira;
using Microsoft.ML.Shira.GpuChecks;
using Microsoft.ML.Shira.GpuChecks.Bench;
using Microsoft.ML.Shira.GpuChecks.Checks;

// Usage (docs/gpu.md):
//   Microsoft.ML.Shira.GpuChecks [--libtorch DIR] diagnostics
//   Microsoft.ML.Shira.GpuChecks [--libtorch DIR] checks [--device cuda|cpu] [--data DIR] [--out DIR]
//   Microsoft.ML.Shira.GpuChecks [--libtorch DIR] bench  [--device cuda|cpu] [--small] [--steps N] [--memory-only] [--out DIR]
// --libtorch (or SHIRA_LIBTORCH_DIR) loads libtorch from a folder before TorchSharp initialises: nothing before this
// line may touch TorchSharp.
var options = AppArguments.Parse(args);
if (options.Error is not null)
{
    Console.Error.WriteLine(options.Error);
    Console.Error.WriteLine(AppArguments.Usage);
    return 2;
}
try
{
    LibTorchSwitch.Apply(options.LibTorch);
}
catch (Exception ex) when (ex is DllNotFoundException or DirectoryNotFoundException or InvalidOperationException or ArgumentException)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return 3;
}

var info = ShiraRuntime.Describe();
Console.WriteLine(info);
if (options.OutDirectory is not null)
{
    Directory.CreateDirectory(options.OutDirectory);
    File.WriteAllText(Path.Combine(options.OutDirectory, "diagnostics.txt"), info.ToString());
}

switch (options.Command)
{
    case "diagnostics":
        return 0;
    case "checks":
        var report = GpuCheckRunner.Run(new CheckContext(options.Device, options.DataDirectory), Console.Out);
        if (options.OutDirectory is not null)
            File.WriteAllText(Path.Combine(options.OutDirectory, $"checks-{options.Device.Replace(':', '-')}.md"), report.ToMarkdown(info));
        return report.AllPassed ? 0 : 1;
    case "bench":
        var result = ShiraBenchmark.Run(new BenchOptions(options.Device, options.Small, options.Steps, options.MemoryOnly), Console.Out);
        if (options.OutDirectory is not null)
            File.WriteAllText(Path.Combine(options.OutDirectory, "shira_bench.json"), result.ToJson());
        Console.WriteLine(result.ToJson());
        return 0;
    default:
        Console.Error.WriteLine(AppArguments.Usage);
        return 2;
}
