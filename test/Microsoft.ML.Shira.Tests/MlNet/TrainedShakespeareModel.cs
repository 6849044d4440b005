using System.Diagnostics;
using Microsoft.ML.Shira.Decoding;
using Microsoft.ML.Shira.TextGeneration;

namespace Microsoft.ML.Shira.Tests.MlNet;

/// <summary>
/// One SHiRA text generator (stories260K + 1% random mask) trained once per test run on a small TinyShakespeare slice,
/// shared by the text-generation tests. Tests that switch adapters hold <see cref="Lock"/> and restore the trained one.
/// </summary>
internal sealed class TrainedShakespeareModel
{
    public const int TrainRows = 300;
    public const int ValidationRows = 60;
    public const int HeldOutRows = 150;

    private static readonly Lazy<TrainedShakespeareModel> Instance = new(() => new TrainedShakespeareModel());
    private static readonly object Gate = new();

    private TrainedShakespeareModel()
    {
        Context = new MLContext(seed: 1);
        Context.Log += (_, e) =>
        {
            if (e.Source == "ShiraTextGeneration")
            {
                lock (LogMessages)
                    LogMessages.Add(e.RawMessage);
            }
        };
        var train = Context.Data.LoadFromEnumerable(TextGenerationData.ShakespeareTrain(TrainRows));
        var validation = Context.Data.LoadFromEnumerable(TextGenerationData.ShakespeareTrain(ValidationRows, skip: 2 * TrainRows));
        HeldOut = Context.Data.LoadFromEnumerable(TextGenerationData.ShakespeareHeldOut(HeldOutRows));
        Progress = new TestProgress<ShiraTextGenerationProgress>();
        Options = new ShiraTextGenerationOptions
        {
            Epochs = 2,
            MaxSequenceLength = 96,
            NumberOfThreads = 1,
            Seed = 7,
            ValidationSet = validation,
            Progress = Progress,
            Generation = new GenerationOptions { MaxNewTokens = 24 },
        };
        var clock = Stopwatch.StartNew();
        Model = Context.Shira().TextGeneration(Options).Fit(train);
        TrainingTime = clock.Elapsed;
    }

    public static TrainedShakespeareModel Get() => Instance.Value;

    /// <summary>Serializes the tests that change the shared model's adapters or generation options.</summary>
    public static object Lock => Gate;

    public MLContext Context { get; }

    public ShiraTextGenerationOptions Options { get; }

    public ShiraTextGenerationTransformer Model { get; }

    public IDataView HeldOut { get; }

    public TestProgress<ShiraTextGenerationProgress> Progress { get; }

    public List<string> LogMessages { get; } = new();

    public TimeSpan TrainingTime { get; }
}
