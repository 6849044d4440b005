using TorchSharp;
using Microsoft.ML.Shira.Tests.Bert;
using Microsoft.ML.Shira.IO.Safetensors;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.ML.Shira.TextClassification;
using Microsoft.ML.Shira.BaseModels;
using Microsoft.ML.Shira.Training.Methods;

namespace Microsoft.ML.Shira.Tests.MlNet;

/// <summary>
/// The baselines of <see cref="ShiraTextClassificationOptions.Method"/> train and predict through the same estimator
/// and transformer as SHiRA, on a tiny SST-2 slice (SHiRA itself is covered by the other ML.NET tests).
/// </summary>
[TestClass]
public sealed partial class FineTuningMethodTests
{
    private const int TrainRows = 160;
    private const int TestRows = 200;

    /// <summary>Chance is 0.5. Measured on these rows (seed 5): head only 0.690, LoRA 0.710, full fine-tuning 0.715.</summary>
    private const double MinimumAccuracy = 0.62;

    /// <summary>Linear weights of MiniLM's 36 projections: 6 × (4·384² + 2·384·1536).</summary>
    private const long ProjectionWeights = 6L * (4 * 384 * 384 + 2 * 384 * 1536);

    /// <summary>SHiRA's count at 1%: 6 × (4·round(1474.56) + 2·round(5898.24)).</summary>
    private const long ShiraCountAtOnePercent = 6L * (4 * 1475 + 2 * 5898);

    private static readonly Dictionary<FineTuningMethod, Trained> Models = new();
    private static IDataView _test = null!;

    private sealed record Trained(MLContext Context, ShiraTextClassificationTransformer Model, long Trainable, long Changed, long Total);

    [ClassInitialize]
    public static void TrainEachMethod(TestContext context)
    {
        foreach (var (method, learningRate) in new[] { (FineTuningMethod.HeadOnly, 1e-3), (FineTuningMethod.Lora, 2e-3), (FineTuningMethod.FullFineTuning, 1e-4) })
        {
            var ml = new MLContext(seed: 3);
            var messages = new List<string>();
            ml.Log += (_, e) =>
            {
                lock (messages)
                    messages.Add(e.Message);
            };
            var train = ml.Data.LoadFromEnumerable(Sst2Data.ReadBinary("train", TrainRows, skip: 3000));
            _test ??= ml.Data.LoadFromEnumerable(Sst2Data.ReadBinary("test", TestRows, skip: 300));
            var model = ml.Shira().Train(train, new ShiraTextClassificationOptions
            {
                Method = method,
                LearningRate = learningRate,
                Epochs = 2,
                MaxSequenceLength = 32,
                NumberOfThreads = 1,
                Seed = 5,
                AdapterName = method.ToString(),
            });
            string summary;
            lock (messages)
                summary = messages.Single(m => m.Contains("Fine-tuned with", StringComparison.Ordinal));
            var match = SummaryPattern().Match(summary);
            Assert.IsTrue(match.Success, summary);
            var (changed, total) = ChangedEncoderWeights(ml, model);
            Assert.AreEqual(total, Number(match.Groups[3].Value), "The log counts the encoder's weights as the tensors do.");
            // The log counts the update's non-zero entries; a few LoRA updates are too small to change a float32 weight.
            long logged = Number(match.Groups[2].Value);
            Assert.IsTrue(logged >= changed && logged - changed <= changed / 10_000, $"{method}: {changed:N0} weights differ from the pretrained ones; the log says {logged:N0} ({summary}).");
            Models[method] = new Trained(ml, model, Number(match.Groups[1].Value), changed, total);
        }
    }

    [ClassCleanup]
    public static void Cleanup()
    {
        foreach (var trained in Models.Values)
            trained.Model.Dispose();
    }

    [TestMethod]
    public void HeadOnlyTrainsAndPredictsAboveChance() => AssertAboveChance(FineTuningMethod.HeadOnly);

    [TestMethod]
    public void LoraTrainsAndPredictsAboveChance() => AssertAboveChance(FineTuningMethod.Lora);

    [TestMethod]
    public void FullFineTuningTrainsAndPredictsAboveChance() => AssertAboveChance(FineTuningMethod.FullFineTuning);

    [TestMethod]
    public void HeadOnlyLeavesTheEncoderBitIdentical()
    {
        var headOnly = Models[FineTuningMethod.HeadOnly];
        Assert.AreEqual(0, headOnly.Trainable);
        Assert.AreEqual(0, headOnly.Changed, "Measured bit for bit against a snapshot of every encoder parameter.");
        Assert.IsGreaterThan(20_000_000, headOnly.Total);
        Assert.AreEqual(0, headOnly.Model.GetAdapter("HeadOnly").ParameterCount);

        // The LoRA adapter carries a SHA-256 fingerprint of the pretrained projection weights; the head-only model's
        // encoder accepts it only if those weights are still bit-identical.
        var lora = Models[FineTuningMethod.Lora].Model.GetAdapter("Lora");
        headOnly.Model.AddAdapter(lora, Models[FineTuningMethod.Lora].Model.GetHead("Lora"));
        try
        {
            using var view = headOnly.Context.Shira().SwitchAdapter(headOnly.Model, "Lora");
            Assert.AreEqual(Accuracy(FineTuningMethod.Lora, Models[FineTuningMethod.Lora].Model), Accuracy(FineTuningMethod.Lora, view), 1e-9,
                "The LoRA adapter on the head-only model's encoder predicts exactly as on its own model.");
        }
        finally
        {
            headOnly.Model.RemoveAdapter("Lora");
        }
    }

    [TestMethod]
    public void LoraMatchesShirasTrainableCountAndMergesIntoADenseAdapter()
    {
        var lora = Models[FineTuningMethod.Lora];
        Assert.AreEqual(6L * (4 * 2 * 768 + 2 * 3 * 1920), lora.Trainable, "r = 2 for 384×384, r = 3 for 1536×384 at 1%.");
        Assert.IsLessThan(0.01, Math.Abs(lora.Trainable - ShiraCountAtOnePercent) / (double)ShiraCountAtOnePercent);
        var adapter = lora.Model.GetAdapter("Lora");
        Assert.AreEqual(ProjectionWeights, adapter.ParameterCount, "The merged update (α/r)·B·A covers every entry.");
        Assert.IsGreaterThan(ProjectionWeights / 2, lora.Changed);
    }

    [TestMethod]
    public void LorasLoggedTrainableCountIsTheSizeOfTheFactorsItInjects()
    {
        // Counted from the tensors: LoRA injected as training injects it into a fresh MiniLM, its A and B factors
        // found by walking the model's parameters (they are gone from the trained model, merged into a dense adapter).
        using var encoder = PretrainedEncoders.MiniLmL6V2();
        var options = new ShiraTextClassificationOptions { Method = FineTuningMethod.Lora };
        var method = FineTuningFactory.Create(options, seed: 5, encoder.Bert, () => throw new AssertFailedException("LoRA chooses no mask."));
        var factors = encoder.Bert.named_parameters().Where(p => p.name.EndsWith(".lora_A", StringComparison.Ordinal) || p.name.EndsWith(".lora_B", StringComparison.Ordinal)).ToList();
        Assert.HasCount(2 * 36, factors, "One A and one B on each of MiniLM's 36 targeted projections.");
        Assert.IsTrue(factors.All(f => f.parameter.requires_grad));
        Assert.AreEqual(factors.Sum(f => f.parameter.numel()), Models[FineTuningMethod.Lora].Trainable, "The log's trainable count is the factors' size.");
        Assert.IsTrue(encoder.Bert.named_parameters().Where(p => p.name.Contains("weight", StringComparison.Ordinal) && p.name.Contains("attention.self", StringComparison.Ordinal)).All(p => !p.parameter.requires_grad), "The wrapped base weights are frozen.");
        (method as IDisposable)?.Dispose();
    }

    [TestMethod]
    public void FullFineTuningTrainsEveryEncoderWeightAndKeepsThemInTheBase()
    {
        var full = Models[FineTuningMethod.FullFineTuning];
        Assert.AreEqual(full.Total, full.Trainable);
        Assert.IsGreaterThan(ProjectionWeights, full.Changed);
        Assert.AreEqual(0, full.Model.GetAdapter("FullFineTuning").ParameterCount);
    }

    [TestMethod]
    public void NonOverlappingMasksAreShiraOnly()
    {
        var ml = new MLContext(seed: 1);
        var adapter = Models[FineTuningMethod.Lora].Model.GetAdapter("Lora");
        var error = Assert.ThrowsExactly<ArgumentException>(() => ml.Shira().TextClassification(new ShiraTextClassificationOptions
        {
            Method = FineTuningMethod.Lora,
            NonOverlappingWith = [adapter],
        }));
        StringAssert.Contains(error.Message, "NonOverlappingWith");
    }

    private static void AssertAboveChance(FineTuningMethod method)
    {
        double accuracy = Accuracy(method, Models[method].Model);
        Console.WriteLine($"{method}: SST-2 accuracy {accuracy:F4} on {TestRows} rows; {Models[method].Trainable:N0} trainable, {Models[method].Changed:N0} of {Models[method].Total:N0} changed.");
        Assert.IsGreaterThanOrEqualTo(MinimumAccuracy, accuracy);
    }

    private static double Accuracy(FineTuningMethod method, ITransformer model) =>
        Models[method].Context.BinaryClassification.EvaluateNonCalibrated(model.Transform(_test)).Accuracy;

    /// <summary>
    /// Counted from tensors, not from the training log: the encoder weights the model runs with (its fused export)
    /// compared element by element with the pretrained MiniLM loaded afresh.
    /// </summary>
    private static (long Changed, long Total) ChangedEncoderWeights(MLContext ml, ShiraTextClassificationTransformer model)
    {
        string directory = TestPaths.NewTempDirectory();
        try
        {
            ml.Shira().Model.ExportFused(model, directory);
            var trained = SafetensorsFile.Open(Path.Combine(directory, "model.safetensors"));
            long changed = 0, total = 0;
            foreach (var (name, pretrained) in MiniLmFixture.Encoder.Bert.state_dict())
            {
                if (!pretrained.is_floating_point())
                    continue;
                using var scope = torch.NewDisposeScope();
                var tuned = trained.GetTensor(name);
                total += pretrained.numel();
                changed += tuned.ne(pretrained).sum().item<long>();
            }
            return (changed, total);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static long Number(string text) => long.Parse(text, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"([\d,]+) trainable encoder parameters; ([\d,]+) of ([\d,]+) encoder weights changed")]
    private static partial Regex SummaryPattern();
}
