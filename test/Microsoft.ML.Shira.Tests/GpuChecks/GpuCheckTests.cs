using Microsoft.ML.Shira.GpuChecks.Bench;
using Microsoft.ML.Shira.GpuChecks.Checks;

namespace Microsoft.ML.Shira.Tests.GpuChecks;

/// <summary>
/// The GPU checks (test/Microsoft.ML.Shira.GpuChecks) run on the CPU device here, so CI proves their logic; on a GPU
/// machine the same code runs with <c>--device cuda</c>. The benchmark's .NET side runs at its small shape as a smoke test.
/// </summary>
[TestClass]
public sealed class GpuCheckTests
{
    public static IEnumerable<object[]> CheckNames => GpuCheckRunner.All.Select(c => new object[] { c.Name });

    [TestMethod]
    [DynamicData(nameof(CheckNames))]
    public void TheCheckPassesOnTheCpu(string name)
    {
        var check = GpuCheckRunner.All.Single(c => c.Name == name);
        var log = new StringWriter();
        var report = GpuCheckRunner.Run(new CheckContext("cpu", TestPaths.Data), log, filter: name);
        var result = report.Results.Single(r => r.Name == check.Name);
        Assert.IsTrue(result.Passed, result.Detail);
        Assert.AreEqual("cpu", result.Device);
        StringAssert.Contains(log.ToString(), "the CUDA checks are NOT run", "A CPU run says plainly that CUDA was not checked.");
    }

    [TestMethod]
    public void AFailingCheckIsReportedAsFailedWithItsReason()
    {
        var log = new StringWriter();
        string missing = Path.Combine(Path.GetTempPath(), "shira-no-data-" + Guid.NewGuid().ToString("N"));
        var report = GpuCheckRunner.Run(new CheckContext("cpu", missing), log, filter: "generation training");
        Assert.IsFalse(report.AllPassed);
        StringAssert.Contains(report.Results.Single().Detail, "tinystories_val.txt");
        StringAssert.Contains(log.ToString(), "[FAIL] generation training");
        string markdown = report.ToMarkdown(ShiraRuntime.Describe());
        StringAssert.Contains(markdown, "The CUDA checks were NOT run here.");
        StringAssert.Contains(markdown, "| FAIL |");
    }

    [TestMethod]
    public void TheBenchmarkRunsAtItsSmallShape()
    {
        var result = ShiraBenchmark.Run(new BenchOptions("cpu", Small: true, Steps: 2), TextWriter.Null);
        CollectionAssert.AreEquivalent(new[] { "default", "Sparse", "Dense" }, result.TrainStepMs.Keys.ToArray());
        Assert.IsTrue(result.TrainStepMs.Values.All(ms => ms > 0));
        Assert.AreEqual(14, result.SwitchMatrices, "2 layers × q/k/v/o/gate/up/down.");
        Assert.IsTrue(result.SwitchRestoreBitExact);
        CollectionAssert.AreEquivalent(new[] { "per_layer", "consolidated" }, result.SwitchMs.Keys.ToArray());
        CollectionAssert.AreEquivalent(new[] { "1", "16" }, result.GenerateTokensPerSecond.Keys.ToArray());
        Assert.IsNull(result.DeviceUsedPeakGiB, "No CUDA memory figure on the CPU.");
        Assert.IsNull(result.AllocatorBackend);
        Assert.IsEmpty(result.PeakAllocatedGiB, "No pool figure on the CPU.");
        Assert.IsFalse(result.MemoryOnly);
        Assert.IsTrue(double.IsFinite(result.Loss[1]));
        StringAssert.Contains(result.ToJson(), "\"train_step_ms\"");
        StringAssert.Contains(result.ToJson(), "\"peak_allocated_gib\": {}");
    }

    [TestMethod]
    public void TheMemoryPassRunsTheTrainStepsOnly()
    {
        var result = ShiraBenchmark.Run(new BenchOptions("cpu", Small: true, Steps: 1, MemoryOnly: true), TextWriter.Null);
        CollectionAssert.AreEquivalent(new[] { "default", "Sparse", "Dense" }, result.TrainStepMs.Keys.ToArray());
        Assert.IsTrue(result.MemoryOnly);
        Assert.IsEmpty(result.SwitchMs, "No switching in the memory pass.");
        Assert.IsEmpty(result.GenerateTokensPerSecond, "No generation in the memory pass.");
        StringAssert.Contains(result.ToJson(), "\"memory_only\": true");
    }
}
