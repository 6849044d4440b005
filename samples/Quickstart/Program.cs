// Quickstart: SST-2 sentiment with SHiRA at 1% on the embedded all-MiniLM-L6-v2.
// Train → evaluate (accuracy, F1) → save → reload → predict. Runs on CPU in a few minutes.
using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Shira;
using Microsoft.ML.Shira.Samples;
using Microsoft.ML.Shira.TextClassification;

int trainRows = args.Length > 0 ? int.Parse(args[0]) : 1500;
var mlContext = new MLContext(seed: 1);

// A subset of SST-2 keeps the run short on two cores; pass the row count as the first argument (6920 = all).
var train = mlContext.Data.LoadFromEnumerable(SampleData.Sst2("train", trainRows));
var dev = mlContext.Data.LoadFromEnumerable(SampleData.Sst2("dev", 200));
var test = mlContext.Data.LoadFromEnumerable(SampleData.Sst2("test"));
Console.WriteLine($"SST-2: {trainRows} training sentences, 200 validation, {test.GetRowCount() ?? SampleData.Sst2("test").Count} test.");

var mapLabel = mlContext.Transforms.Conversion.MapValueToKey("Label").Fit(train);
var options = new ShiraTextClassificationOptions
{
    LabelColumnName = "Label",
    Sentence1ColumnName = nameof(LabeledText.Text),
    Sparsity = 0.01,
    Epochs = 1,
    MaxSequenceLength = 48,
    ValidationSet = mapLabel.Transform(dev),
    Seed = 1,
    Progress = new Progress<ShiraTextClassificationProgress>(p =>
    {
        if (p.IsEpochEnd || p.Step % 25 == 0)
            Console.WriteLine($"  epoch {p.Epoch}/{p.Epochs} step {p.Step}/{p.TotalSteps} loss {p.Loss:F3}" +
                (p.ValidationAccuracy is double v ? $" validation accuracy {v:P1}" : "") + $" {p.RowsPerSecond:F0} rows/s, ETA {p.EstimatedRemaining:mm\\:ss}");
    }),
};

var pipeline = mlContext.Transforms.Conversion.MapValueToKey("Label")
    .Append(mlContext.Shira().TextClassification(options))
    .Append(mlContext.Transforms.Conversion.MapKeyToValue("PredictedLabel"));

var clock = Stopwatch.StartNew();
var model = pipeline.Fit(train);
var shira = model.OfType<ShiraTextClassificationTransformer>().Single();
var adapter = shira.GetAdapter(shira.Adapters[0]);
Console.WriteLine($"Trained in {clock.Elapsed:mm\\:ss}: adapter '{adapter.Name}' with {adapter.ParameterCount:N0} trainable weights in {adapter.Layers.Count} matrices.");

var metrics = mlContext.MulticlassClassification.Evaluate(model.Transform(test));
var f1 = MacroF1(metrics.ConfusionMatrix);
Console.WriteLine($"Test accuracy {metrics.MacroAccuracy:P2} (micro {metrics.MicroAccuracy:P2}), macro-F1 {f1:P2}, log-loss {metrics.LogLoss:F3}");

string path = Path.Combine(Path.GetTempPath(), "shira-quickstart.zip");
mlContext.Shira().Model.Save(model, train.Schema, path);
var reloaded = mlContext.Shira().Model.Load(path, out _);
Console.WriteLine($"Saved to {path} ({new FileInfo(path).Length / 1024.0 / 1024.0:F1} MB) and reloaded.");

var engine = mlContext.Model.CreatePredictionEngine<LabeledText, Prediction>(reloaded);
foreach (var sentence in new[] { "a gripping , beautifully acted film .", "the plot is thin and the jokes fall flat .", "not bad at all , actually ." })
{
    var prediction = engine.Predict(new LabeledText { Text = sentence });
    Console.WriteLine($"  {prediction.PredictedLabel,-8} {prediction.Score.Max():P1}  {sentence}");
}

static double MacroF1(ConfusionMatrix matrix)
{
    int n = matrix.NumberOfClasses;
    double sum = 0;
    for (int c = 0; c < n; c++)
    {
        double tp = matrix.Counts[c][c];
        double predicted = Enumerable.Range(0, n).Sum(r => matrix.Counts[r][c]);
        double actual = matrix.Counts[c].Sum();
        double precision = predicted == 0 ? 0 : tp / predicted, recall = actual == 0 ? 0 : tp / actual;
        sum += precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
    }
    return sum / n;
}

/// <summary>What the prediction engine returns.</summary>
internal sealed class Prediction
{
    public string PredictedLabel { get; set; } = "";

    public float[] Score { get; set; } = Array.Empty<float>();
}
