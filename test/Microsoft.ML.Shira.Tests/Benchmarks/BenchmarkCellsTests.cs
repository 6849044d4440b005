namespace Microsoft.ML.Shira.Tests.Benchmarks;

[TestClass]
public sealed class BenchmarkCellsTests
{
    [TestMethod]
    [DataRow("512 ns", 512.0)]
    [DataRow("9,137.4 μs", 9_137_400.0)]
    [DataRow("3.778 µs", 3_778.0)]
    [DataRow("110,054.633 us", 110_054_633.0)]
    [DataRow("1.23 ms", 1_230_000.0)]
    [DataRow("2.324 s", 2_324_000_000.0)]
    [DataRow(" 1,048,576 ns ", 1_048_576.0)]
    public void ParsesDurationsInNanoseconds(string cell, double expected) =>
        Assert.AreEqual(expected, BenchmarkCells.ParseDuration(cell), expected * 1e-12);

    [TestMethod]
    [DataRow("NA")]
    [DataRow("")]
    [DataRow("12")]
    [DataRow("12 parsecs")]
    [DataRow("1,23 ms")]
    [DataRow("-3 ms")]
    public void RejectsCellsThatAreNotDurations(string cell)
    {
        var e = Assert.ThrowsExactly<FormatException>(() => BenchmarkCells.ParseDuration(cell));
        StringAssert.Contains(e.Message, "not a duration");
    }

    [TestMethod]
    public void ParsesRatios()
    {
        Assert.AreEqual(0.007, BenchmarkCells.ParseRatio("0.007"));
        Assert.AreEqual(1.0, BenchmarkCells.ParseRatio("1.00"));
        Assert.AreEqual(1.0, BenchmarkCells.ParseRatio("baseline"));
        Assert.AreEqual(2.0, BenchmarkCells.ParseRatio("2.00x slower"));
        Assert.AreEqual(0.25, BenchmarkCells.ParseRatio("4x faster"));
        Assert.IsNull(BenchmarkCells.ParseRatio("?"));
        Assert.IsNull(BenchmarkCells.ParseRatio("NA"));
        Assert.IsNull(BenchmarkCells.ParseRatio(""));
        Assert.ThrowsExactly<FormatException>(() => BenchmarkCells.ParseRatio("fast"));
    }

    [TestMethod]
    public void SplitsQuotedFields()
    {
        CollectionAssert.AreEqual(new[] { "Lora", "9,069.4 μs", "say \"hi\"", "" },
            BenchmarkCells.SplitLine("Lora,\"9,069.4 μs\",\"say \"\"hi\"\"\","));
        Assert.ThrowsExactly<FormatException>(() => BenchmarkCells.SplitLine("Lora,\"9,069.4 μs"));
    }
}
