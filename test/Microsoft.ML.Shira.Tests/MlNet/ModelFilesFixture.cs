using Microsoft.ML.Data;
using Microsoft.ML.Shira.TextClassification;

namespace Microsoft.ML.Shira.Tests.MlNet;

/// <summary>A scored row of the MapValueToKey → SHiRA → MapKeyToValue chain (PredictedLabel mapped back to text).</summary>
public sealed class ChainPrediction
{
    public float[] Score { get; set; } = [];

    public string PredictedLabel { get; set; } = "";
}

/// <summary>
/// The shared trained sentiment classifier as a chain MapValueToKey → SHiRA → MapKeyToValue, saved once with
/// <c>mlContext.Shira().Model.Save</c>, its predictions on held-out rows, and one loaded copy shared (read-only) by the
/// model file tests.
/// </summary>
internal sealed class ModelFilesFixture
{
    public const int HeldOutRows = 40;

    private static readonly Lazy<ModelFilesFixture> Instance = new(() => new ModelFilesFixture());

    private ModelFilesFixture()
    {
        var trained = TrainedSentimentModel.Get();
        Context = trained.Context;
        Directory = TestPaths.NewTempDirectory();
        HeldOut = Context.Data.LoadFromEnumerable(trained.TestRowsData.Take(HeldOutRows).ToList());
        InputSchema = HeldOut.Schema;
        lock (TrainedSentimentModel.Lock)
        {
            var mapKeyToValue = Context.Transforms.Conversion.MapKeyToValue("PredictedLabel").Fit(trained.Model.Transform(HeldOut));
            Original = new TransformerChain<ITransformer>(trained.Model.First(), trained.Shira, mapKeyToValue);
            Expected = Score(Original, HeldOut);
            ChainPath = Path.Combine(Directory, "chain.zip");
            Context.Shira().Model.Save(Original, InputSchema, ChainPath);
        }
        Loaded = (TransformerChain<ITransformer>)Context.Shira().Model.Load(ChainPath, out var loadedSchema);
        LoadedInputSchema = loadedSchema;
    }

    public static ModelFilesFixture Get() => Instance.Value;

    public MLContext Context { get; }

    public string Directory { get; }

    /// <summary>Held-out SST-2 test rows (never trained on).</summary>
    public IDataView HeldOut { get; }

    public DataViewSchema InputSchema { get; }

    /// <summary>MapValueToKey → the shared trained SHiRA classifier → MapKeyToValue("PredictedLabel").</summary>
    public TransformerChain<ITransformer> Original { get; }

    /// <summary>The original chain's predictions on <see cref="HeldOut"/>.</summary>
    public List<ChainPrediction> Expected { get; }

    /// <summary>The file the original chain was saved to (built-in base, not embedded).</summary>
    public string ChainPath { get; }

    /// <summary>The chain loaded once from <see cref="ChainPath"/>; tests must not change its adapters.</summary>
    public TransformerChain<ITransformer> Loaded { get; }

    public DataViewSchema LoadedInputSchema { get; }

    public ShiraTextClassificationTransformer LoadedShira => (ShiraTextClassificationTransformer)Loaded.ElementAt(1);

    public List<ChainPrediction> Score(ITransformer model, IDataView data) =>
        Context.Data.CreateEnumerable<ChainPrediction>(model.Transform(data), reuseRowObject: false)
            .Select(p => new ChainPrediction { Score = p.Score.ToArray(), PredictedLabel = p.PredictedLabel }).ToList();

    public List<SentimentPrediction> ScoreKeys(ITransformer model, IDataView data) =>
        Context.Data.CreateEnumerable<SentimentPrediction>(model.Transform(data), reuseRowObject: false)
            .Select(p => new SentimentPrediction { Score = p.Score.ToArray(), PredictedLabel = p.PredictedLabel }).ToList();

    /// <summary>Asserts bit-for-bit equal scores (compared as raw bits) and equal labels.</summary>
    public static void AssertBitExact(IReadOnlyList<float[]> expected, IReadOnlyList<float[]> actual, string what)
    {
        Assert.HasCount(expected.Count, actual, what);
        for (int i = 0; i < expected.Count; i++)
            CollectionAssert.AreEqual(Bits(expected[i]), Bits(actual[i]), $"{what}: row {i} scores differ ([{string.Join(", ", expected[i])}] vs [{string.Join(", ", actual[i])}]).");
    }

    public static int[] Bits(IEnumerable<float> values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();
}
