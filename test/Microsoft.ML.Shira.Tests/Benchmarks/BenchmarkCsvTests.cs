namespace Microsoft.ML.Shira.Tests.Benchmarks;

[TestClass]
public sealed class BenchmarkCsvTests
{
    // The shape of BenchmarkDotNet 0.15's CSV: Method, Job, job characteristics, [Params], statistics.
    private static readonly string[] Switch =
    [
        "Method,Job,Toolchain,IterationCount,WarmupCount,Shape,Mean,Error,StdDev,Median,Ratio,RatioSD",
        "LoraFuseUnfuse,InProcess,InProcessEmitToolchain,15,3,1536x384,316.447 μs,22.3524 μs,18.6653 μs,322.766 μs,1.00,0.08",
        "ShiraApplyRemove,InProcess,InProcessEmitToolchain,15,3,1536x384,11.203 μs,0.6690 μs,0.6257 μs,11.146 μs,0.04,0.00",
        "",
        "LoraFuseUnfuse,InProcess,InProcessEmitToolchain,15,3,4096x4096,\"110,054.633 μs\",\"1,448.4517 μs\",\"1,354.8826 μs\",\"109,801.319 μs\",1.000,0.02",
        "ShiraApplyRemove,InProcess,InProcessEmitToolchain,15,3,4096x4096,761.150 μs,57.9116 μs,54.1706 μs,749.609 μs,0.007,0.00",
    ];

    [TestMethod]
    public void ReadsMethodsParameterSetsMediansAndRatios()
    {
        var report = BenchmarkCsv.Parse("SwitchBenchmarks", Switch);

        CollectionAssert.AreEqual(new[] { "Shape" }, report.ParameterNames.ToArray());
        CollectionAssert.AreEqual(new[] { "Shape=1536x384", "Shape=4096x4096" }, report.ParameterSets.ToArray());
        CollectionAssert.AreEqual(new[] { "LoraFuseUnfuse", "ShiraApplyRemove" }, report.Methods.ToArray());
        var large = report.In("Shape=4096x4096");
        Assert.AreEqual(2, large.Count);
        Assert.AreEqual(109_801_319.0, large[0].MedianNanoseconds, 1e-3);
        Assert.AreEqual(110_054_633.0, large[0].MeanNanoseconds!.Value, 1e-3);
        Assert.AreEqual(1.0, large[0].Ratio);
        Assert.AreEqual(0.007, large[1].Ratio);
        Assert.AreEqual("0.007", large[1].RatioText);
    }

    [TestMethod]
    public void ReportWithoutParamsOrRatioHasOneSetAndNoRatios()
    {
        var report = BenchmarkCsv.Parse("EncoderBenchmarks",
        [
            "Method,Job,Toolchain,WarmupCount,Mean,Error,StdDev,Median",
            "EncodeBatch,InProcess,InProcessEmitToolchain,3,33.82 ms,22.44 ms,20.99 ms,38.74 ms",
        ]);

        Assert.AreEqual(0, report.ParameterNames.Count);
        CollectionAssert.AreEqual(new[] { "" }, report.ParameterSets.ToArray());
        Assert.AreEqual(38_740_000.0, report.Results[0].MedianNanoseconds, 1e-3);
        Assert.IsNull(report.Results[0].Ratio);
        Assert.AreEqual("", report.Results[0].RatioText);
    }

    [TestMethod]
    public void MalformedReportsFailWithTheLineAndReason()
    {
        StringAssert.Contains(Fail(["Method,Job,Mean", "A,InProcess,1 ms"]), "no 'Median' column");
        StringAssert.Contains(Fail(["Job,Mean,Median", "InProcess,1 ms,1 ms"]), "no 'Method' column");
        StringAssert.Contains(Fail(["Method,Median", "A,1 ms", "B,1 ms,extra"]), "line 3: 3 cells, but the header has 2");
        StringAssert.Contains(Fail(["Method,Median", "A,fast"]), "line 2: 'fast' is not a duration");
        StringAssert.Contains(Fail(["Method,Median"]), "no rows");
        StringAssert.Contains(Fail([]), "empty");
    }

    [TestMethod]
    public void ClassNameComesFromTheFileName()
    {
        Assert.AreEqual("SwitchBenchmarks", BenchmarkCsv.ClassNameOf(Path.Combine("results", "SwitchBenchmarks-report.csv")));
        Assert.AreEqual("Other", BenchmarkCsv.ClassNameOf("Other.csv"));
    }

    [TestMethod]
    public void EveryCommittedReportParses()
    {
        var files = Directory.GetFiles(Path.Combine(TestPaths.RepositoryRoot, "docs", "benchmarks", "results"), "*-report.csv");
        Assert.IsTrue(files.Length > 0);
        foreach (var file in files)
            Assert.IsTrue(BenchmarkCsv.Read(file).Results.Count > 0, file);
    }

    private static string Fail(string[] lines) =>
        Assert.ThrowsExactly<FormatException>(() => BenchmarkCsv.Parse("X", lines)).Message;
}
