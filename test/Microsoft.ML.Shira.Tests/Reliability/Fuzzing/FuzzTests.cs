using Microsoft.ML.Shira.Decoding;
using Microsoft.ML.Shira.TextGeneration;
using Microsoft.ML.Shira.Tests.MlNet;

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

    private static readonly Lazy<(MLContext Context, byte[] Zip)> SavedModel = new(SaveSmallGenerator);

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [DataRow("safetensors")]
    [DataRow("PEFT adapter")]
    [DataRow("config.json")]
    [DataRow("model folder")]
    [DataRow("sharded checkpoint")]
    [DataRow("SentencePiece tokenizer")]
    [DataRow("WordPiece vocabulary")]
    public void OnlyDocumentedErrorsEscapeAndAllocationStaysBounded(string target) =>
        Check(FuzzTargets.All().Single(t => t.Name == target), FuzzInputs);

    [TestMethod]
    public void ModelZipBytes()
    {
        var (context, zip) = SavedModel.Value;
        Check(FuzzTargets.ModelZip(zip, context), FuzzInputs);
    }

    [TestMethod]
    public void ModelZipManifest()
    {
        var (context, zip) = SavedModel.Value;
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

    /// <summary>A stories260K generator trained for a few steps and saved: a real model zip of about 1 MB.</summary>
    private static (MLContext, byte[]) SaveSmallGenerator()
    {
        var context = new MLContext(seed: 1);
        var data = context.Data.LoadFromEnumerable(TextGenerationData.ShakespeareTrain(8));
        using var model = context.Shira().Train(data, new ShiraTextGenerationOptions
        {
            Epochs = 1,
            BatchSize = 4,
            MaxSequenceLength = 32,
            NumberOfThreads = 1,
            Seed = 3,
            Generation = new GenerationOptions { MaxNewTokens = 4 },
        });
        using var stream = new MemoryStream();
        context.Shira().Model.Save(model, data.Schema, stream);
        return (context, stream.ToArray());
    }
}
