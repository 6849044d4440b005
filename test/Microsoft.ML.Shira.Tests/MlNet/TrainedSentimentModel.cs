using System.Diagnostics;
using Microsoft.ML.Data;
using Microsoft.ML.Shira.TextClassification;

namespace Microsoft.ML.Shira.Tests.MlNet;

/// <summary>
/// One multiclass SHiRA classifier (MapValueToKey → Shira TextClassification) trained once per test run on a small SST-2
/// subset with MiniLM, shared by the ML.NET tests. Tests that switch adapters restore the trained one when done.
/// </summary>
internal sealed class TrainedSentimentModel
{
    public const int TrainRows = 320;
    public const int ValidationRows = 96;
    public const int TestRows = 300;

    private static readonly Lazy<TrainedSentimentModel> Instance = new(() => new TrainedSentimentModel());
    private static readonly object Gate = new();

    private TrainedSentimentModel()
    {
        Context = new MLContext(seed: 1);
        Context.Log += (_, e) =>
        {
            lock (LogMessages)
                LogMessages.Add(e);
        };
        var train = Context.Data.LoadFromEnumerable(Sst2Data.Read("train", TrainRows));
        var mapLabel = Context.Transforms.Conversion.MapValueToKey("Label").Fit(train);
        var validation = mapLabel.Transform(Context.Data.LoadFromEnumerable(Sst2Data.Read("dev", ValidationRows)));
        TestRowsData = Sst2Data.Read("test", TestRows);
        Test = Context.Data.LoadFromEnumerable(TestRowsData);
        Progress = new TestProgress<ShiraTextClassificationProgress>();
        var options = new ShiraTextClassificationOptions
        {
            Epochs = 2,
            MaxSequenceLength = 48,
            NumberOfThreads = 1,
            Seed = 7,
            ValidationSet = validation,
            Progress = Progress,
        };
        var clock = Stopwatch.StartNew();
        var pipeline = Context.Transforms.Conversion.MapValueToKey("Label").Append(Context.Shira().TextClassification(options));
        Model = pipeline.Fit(train);
        TrainingTime = clock.Elapsed;
    }

    public static TrainedSentimentModel Get() => Instance.Value;

    /// <summary>Serializes the tests that change the shared model's adapters.</summary>
    public static object Lock => Gate;

    public MLContext Context { get; }

    public TransformerChain<ShiraTextClassificationTransformer> Model { get; }

    public ShiraTextClassificationTransformer Shira => Model.LastTransformer;

    public IDataView Test { get; }

    public List<SentimentRow> TestRowsData { get; }

    public TestProgress<ShiraTextClassificationProgress> Progress { get; }

    public List<LoggingEventArgs> LogMessages { get; } = new();

    public TimeSpan TrainingTime { get; }
}
