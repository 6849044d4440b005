using Microsoft.ML.Shira.TextClassification;

namespace Microsoft.ML.Shira.Tests.MlNet;

/// <summary>Bad input fails early with an exception that names the column, the row or the option.</summary>
[TestClass]
public sealed class InputValidationTests
{
    private sealed class NumericTextRow
    {
        public float Sentence1 { get; set; }

        public bool Label { get; set; }
    }

    private sealed class FloatLabelRow
    {
        public string Sentence1 { get; set; } = "";

        public float Label { get; set; }
    }

    [TestMethod]
    public void MissingColumnIsNamed()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Sst2Data.ReadBinary("train", 8));
        var estimator = ml.Shira().TextClassification(sentence1ColumnName: "Review");

        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.Fit(data));
        StringAssert.Contains(error.Message, "'Review'");
        StringAssert.Contains(error.Message, "'Sentence1'", "The message lists the columns the data has.");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.GetOutputSchema(TextClassificationPipelineTests.ShapeOf(data.Schema)));
    }

    [TestMethod]
    public void TextColumnOfAnotherTypeIsNamedWithItsType()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(new[] { new NumericTextRow { Sentence1 = 1, Label = true } });

        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Shira().TextClassification().Fit(data));
        StringAssert.Contains(error.Message, "'Sentence1'");
        StringAssert.Contains(error.Message, "Single");
    }

    [TestMethod]
    public void LabelMustBeKeyOrBoolean()
    {
        var ml = new MLContext(seed: 1);
        var strings = ml.Data.LoadFromEnumerable(Sst2Data.Read("train", 8));
        var floats = ml.Data.LoadFromEnumerable(new[] { new FloatLabelRow { Sentence1 = "good", Label = 1 } });

        var stringError = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Shira().TextClassification().Fit(strings));
        StringAssert.Contains(stringError.Message, "'Label'");
        StringAssert.Contains(stringError.Message, "String");
        StringAssert.Contains(stringError.Message, "MapValueToKey");
        var floatError = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Shira().TextClassification().Fit(floats));
        StringAssert.Contains(floatError.Message, "Single");
    }

    [TestMethod]
    public void EmptyOrNullTrainingTextIsAnErrorNamingTheRow()
    {
        var ml = new MLContext(seed: 1);
        foreach (string? bad in new[] { null, "", "   " })
        {
            var rows = Sst2Data.ReadBinary("train", 6);
            rows[3].Sentence1 = bad!;
            var data = ml.Data.LoadFromEnumerable(rows);

            var error = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Shira().TextClassification().Fit(data));
            StringAssert.Contains(error.Message, "Row 3 of the training data");
            StringAssert.Contains(error.Message, "'Sentence1'");
        }
    }

    [TestMethod]
    public void OptionsAreCheckedWhenTheEstimatorIsCreated()
    {
        var ml = new MLContext(seed: 1);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Shira().TextClassification(new ShiraTextClassificationOptions { BatchSize = 0 }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Shira().TextClassification(new ShiraTextClassificationOptions { Sparsity = 0 }));
        Assert.ThrowsExactly<ArgumentException>(() => ml.Shira().TextClassification(new ShiraTextClassificationOptions { Sentence1ColumnName = " " }));
        var device = Assert.ThrowsExactly<ArgumentException>(() => ml.Shira().TextClassification(new ShiraTextClassificationOptions { Device = "tpu" }));
        StringAssert.Contains(device.Message, "tpu");
    }

    [TestMethod]
    public void GpuFromTheMlContextWithoutCudaFailsUnlessFallbackToCpu()
    {
        if (global::TorchSharp.torch.cuda.is_available())
            Assert.Inconclusive("This machine has CUDA; the test checks the error without it.");
        var ml = new MLContext(seed: 1) { GpuDeviceId = 0, FallbackToCpu = false };
        var data = ml.Data.LoadFromEnumerable(Sst2Data.ReadBinary("train", 4));

        var error = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Shira().TextClassification().Fit(data));
        StringAssert.Contains(error.Message, "CUDA is not available");
        StringAssert.Contains(error.Message, "FallbackToCpu");
    }

    [TestMethod]
    public void CancellationMidTrainingThrowsAndKeepsNothing()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Sst2Data.ReadBinary("train", 64));
        using var cancellation = new CancellationTokenSource();
        var progress = new TestProgress<ShiraTextClassificationProgress>(p =>
        {
            if (p.Step == 2)
                cancellation.Cancel();
        });
        var options = new ShiraTextClassificationOptions
        {
            Epochs = 3,
            MaxSequenceLength = 32,
            NumberOfThreads = 1,
            Progress = progress,
            CancellationToken = cancellation.Token,
        };

        Assert.ThrowsExactly<OperationCanceledException>(() => ml.Shira().Train(data, options));
        Assert.AreEqual(2, progress.Items.Max(p => p.Step), "Training stops at the next step after cancellation.");
        Assert.HasCount(2, progress.Items);
    }
}
