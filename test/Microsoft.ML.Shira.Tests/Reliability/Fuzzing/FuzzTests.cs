
namespace Microsoft.ML.Shira.Tests.Reliability.Fuzzing;

/// <summary>
/// Deterministic mutation fuzzing of every reader of untrusted files: only documented exception types escape, and the
/// managed memory a read allocates stays proportional to its input. (A longer run: the Microsoft.ML.Shira.Fuzz tool.)
/// </summary>
[TestClass]
public sealed class FuzzTests
{
    private const int RunSeed = 20261204;
    private const int FuzzInputs = 10_000;

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [DataRow("safetensors")]
    [DataRow("PEFT adapter")]
    [DataRow("config.json")]
    [DataRow("model folder")]
    [DataRow("sharded checkpoint")]
    [DataRow("SentencePiece tokenizer")]
    [DataRow("WordPiece vocabulary")]
    [DataRow("ONNX model")]
    public void OnlyDocumentedErrorsEscapeAndAllocationStaysBounded(string target) =>
        Check(FuzzTargets.All().Single(t => t.Name == target), FuzzInputs);

    [TestMethod]
    public void ModelZipBytes()
    {
        var (context, zip) = FuzzTargets.SmallGeneratorZip.Value;
        Check(FuzzTargets.ModelZip(zip, context), FuzzInputs);
    }

    [TestMethod]
    public void ModelZipManifest()
    {
        var (context, zip) = FuzzTargets.SmallGeneratorZip.Value;
        Check(FuzzTargets.ModelManifest(zip, context), FuzzInputs);
    }

    private void Check(FuzzTarget target, int inputs)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var report = FuzzRunner.Run(target, inputs, RunSeed);
        TestContext.WriteLine($"{report} ({clock.Elapsed.TotalSeconds:F1} s)");
        Assert.AreEqual(inputs, report.Inputs);
        Assert.IsGreaterThan(0, report.Outcomes.GetValueOrDefault(nameof(ShiraFormatException)), "The mutations reach the reader's checks.");
        Assert.IsGreaterThan(0, report.Outcomes.GetValueOrDefault("ok"), "Some mutations leave a readable file.");
        Assert.IsEmpty(report.Failures, report.ToString());
    }
}
