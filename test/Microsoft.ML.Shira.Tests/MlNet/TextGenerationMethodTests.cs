using Microsoft.ML.Shira.BaseModels;
using Microsoft.ML.Shira.IO.Safetensors;
using TorchSharp;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.ML.Shira.TextGeneration;

namespace Microsoft.ML.Shira.Tests.MlNet;

/// <summary>
/// <see cref="ShiraTextGenerationOptions.Method"/>: LoRA and full fine-tuning train stories260K through the same
/// estimator, loop and transformer as SHiRA, on a small TinyShakespeare slice, at a rank budget where SHiRA and LoRA
/// have exactly the same trainable count.
/// </summary>
[TestClass]
public sealed partial class TextGenerationMethodTests
{
    private const int TrainRows = 200;
    private const int HeldOutRows = 100;

    /// <summary>Weights of stories260K's 35 projections (5 layers × q, k, v, o, gate, up, down).</summary>
    private const long ProjectionWeights = 5L * (64 * 64 + 32 * 64 + 32 * 64 + 64 * 64 + 3 * 172 * 64);

    private static readonly Dictionary<FineTuningMethod, Trained> Models = new();
    private static IDataView _heldOut = null!;
    private static double _basePerplexity;

    private sealed record Trained(ShiraTextGenerationTransformer Model, long Trainable, long Changed, long Total, double Perplexity);

    [ClassInitialize]
    public static void TrainEachMethod(TestContext context)
    {
        foreach (var (method, learningRate) in new[] { (FineTuningMethod.Shira, 1e-2), (FineTuningMethod.Lora, 1e-2), (FineTuningMethod.FullFineTuning, 1e-3) })
        {
            var ml = new MLContext(seed: 2);
            var messages = new List<string>();
            ml.Log += (_, e) =>
            {
                if (e.Source == "ShiraTextGeneration")
                {
                    lock (messages)
                        messages.Add(e.RawMessage);
                }
            };
            _heldOut ??= ml.Data.LoadFromEnumerable(TextGenerationData.ShakespeareHeldOut(HeldOutRows));
            var model = ml.Shira().Train(ml.Data.LoadFromEnumerable(TextGenerationData.ShakespeareTrain(TrainRows)), new ShiraTextGenerationOptions
            {
                Method = method,
                Rank = 1,
                LearningRate = learningRate,
                Epochs = 1,
                MaxSequenceLength = 64,
                NumberOfThreads = 1,
                Seed = 4,
                AdapterName = method.ToString(),
            });
            string summary;
            lock (messages)
                summary = messages.Single(m => m.StartsWith("Fine-tuned with", StringComparison.Ordinal));
            var match = SummaryPattern().Match(summary);
            Assert.IsTrue(match.Success, summary);
            double perplexity = model.Perplexity(_heldOut);
            if (method == FineTuningMethod.Shira)
            {
                model.SwitchToBaseModel();
                _basePerplexity = model.Perplexity(_heldOut);
                model.SwitchTo(method.ToString());
                Console.WriteLine($"Base held-out perplexity {_basePerplexity:F3}.");
            }
            var (changed, total) = ChangedWeights(ml, model);
            Assert.AreEqual(total, Number(match.Groups[3].Value), "The log counts the model's weights as the tensors do.");
            // The log counts the update's non-zero entries; an update too small to change a float32 weight is not a change.
            long logged = Number(match.Groups[2].Value);
            Assert.IsTrue(logged >= changed && logged - changed <= changed / 1_000, $"{method}: {changed:N0} weights differ from stories260K's; the log says {logged:N0}.");
            Models[method] = new Trained(model, Number(match.Groups[1].Value), changed, total, perplexity);
            Console.WriteLine($"{method}: {summary} Held-out perplexity {perplexity:F3}.");
        }
    }

    /// <summary>
    /// Counted from tensors, not from the training log: the weights the model runs with (its fused export) compared
    /// element by element with stories260K loaded afresh.
    /// </summary>
    private static (long Changed, long Total) ChangedWeights(MLContext ml, ShiraTextGenerationTransformer model)
    {
        string directory = TestPaths.NewTempDirectory();
        try
        {
            ml.Shira().Model.ExportFused(model, directory);
            var tuned = SafetensorsFile.Open(Path.Combine(directory, "model.safetensors"));
            using var pretrained = PretrainedDecoders.Stories260K();
            long changed = 0, total = 0;
            foreach (var (name, weight) in pretrained.Model.Module.state_dict())
            {
                using var scope = torch.NewDisposeScope();
                total += weight.numel();
                changed += tuned.GetTensor(name).ne(weight).sum().item<long>();
            }
            return (changed, total);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [ClassCleanup]
    public static void Cleanup()
    {
        foreach (var trained in Models.Values)
            trained.Model.Dispose();
    }

    [TestMethod]
    public void LoraAndShiraHaveTheSameTrainableCountAtTheSameRank()
    {
        var shira = Models[FineTuningMethod.Shira];
        var lora = Models[FineTuningMethod.Lora];
        // r·(in + out) per projection at r = 1: 5 × (128 + 96 + 96 + 128 + 3 × 236).
        Assert.AreEqual(5L * (128 + 96 + 96 + 128 + 3 * 236), shira.Trainable);
        Assert.AreEqual(shira.Trainable, lora.Trainable);
        Assert.AreEqual(shira.Trainable, shira.Model.GetAdapter("Shira").ParameterCount);
    }

    [TestMethod]
    public void EveryMethodLowersHeldOutShakespearePerplexity()
    {
        // Measured (seed 4, 200 speeches, 1 epoch, windows of 64): base 190.5; SHiRA 39.9, LoRA 35.7, full fine-tuning 28.3.
        Assert.IsGreaterThan(100.0, _basePerplexity, "stories260K never saw Shakespeare.");
        foreach (var (method, trained) in Models)
            Assert.IsLessThan(0.5 * _basePerplexity, trained.Perplexity, $"{method} must at least halve the held-out perplexity.");
    }

    [TestMethod]
    public void LoraAdapterIsTheMergedUpdateOverEveryProjectionAndSwitchesBackToTheExactBase()
    {
        var lora = Models[FineTuningMethod.Lora];
        var adapter = lora.Model.GetAdapter("Lora");
        Assert.AreEqual(ProjectionWeights, adapter.ParameterCount, "The merged update (α/r)·B·A covers every entry of every projection.");
        Assert.AreEqual("CAUSAL_LM", adapter.Metadata.TaskType);
        Assert.IsGreaterThan(ProjectionWeights / 2, lora.Changed);

        lora.Model.SwitchToBaseModel();
        try
        {
            Assert.AreEqual(_basePerplexity, lora.Model.Perplexity(_heldOut), "Removing the fused LoRA update restores the base weights bit for bit.");
        }
        finally
        {
            lora.Model.SwitchTo("Lora");
        }
        Assert.AreEqual(lora.Perplexity, lora.Model.Perplexity(_heldOut));
    }

    [TestMethod]
    public void FullFineTuningTrainsEveryWeightAndKeepsThemInTheBase()
    {
        var full = Models[FineTuningMethod.FullFineTuning];
        Assert.AreEqual(full.Total, full.Trainable);
        Assert.IsGreaterThan(ProjectionWeights, full.Changed);
        Assert.AreEqual(0, full.Model.GetAdapter("FullFineTuning").ParameterCount);
        full.Model.SwitchToBaseModel();
        try
        {
            Assert.AreEqual(full.Perplexity, full.Model.Perplexity(_heldOut), "The tuned weights are the transformer's base.");
        }
        finally
        {
            full.Model.SwitchTo("FullFineTuning");
        }
    }

    [TestMethod]
    public void NonOverlappingShiraAdapterAvoidsEveryPositionOfTheFirst()
    {
        var first = Models[FineTuningMethod.Shira].Model.GetAdapter("Shira");
        var ml = new MLContext(seed: 2);
        using var second = ml.Shira().Train(ml.Data.LoadFromEnumerable(TextGenerationData.TinyStories(TrainRows)), new ShiraTextGenerationOptions
        {
            Rank = 1,
            Epochs = 1,
            MaxSequenceLength = 64,
            NumberOfThreads = 1,
            Seed = 4,
            AdapterName = "stories",
            NonOverlappingWith = [first],
        });
        var adapter = second.GetAdapter("stories");
        var layers = Microsoft.ML.Shira.Adapters.Fusion.AdapterOverlap.Compare(first, adapter);
        Assert.HasCount(35, layers);
        Assert.AreEqual(0, layers.Sum(l => (long)l.SharedCount), "The same seed would pick the same positions; the exclusion must move all of them.");
        Assert.AreEqual(first.ParameterCount, adapter.ParameterCount, "Same budget.");
    }

    [TestMethod]
    public void NonOverlappingMasksAreShiraOnly()
    {
        var ml = new MLContext(seed: 1);
        var first = Models[FineTuningMethod.Shira].Model.GetAdapter("Shira");
        var error = Assert.ThrowsExactly<ArgumentException>(() => ml.Shira().TextGeneration(new ShiraTextGenerationOptions { Method = FineTuningMethod.Lora, NonOverlappingWith = [first] }));
        Assert.AreEqual("NonOverlappingWith", error.ParamName);
    }

    [TestMethod]
    public void HeadOnlyAndUnknownMethodsAreRejectedClearly()
    {
        var ml = new MLContext(seed: 1);
        var headOnly = Assert.ThrowsExactly<ArgumentException>(() => ml.Shira().TextGeneration(new ShiraTextGenerationOptions { Method = FineTuningMethod.HeadOnly }));
        StringAssert.Contains(headOnly.Message, "HeadOnly applies to text classification only");
        Assert.AreEqual("Method", headOnly.ParamName);
        var unknown = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Shira().TextGeneration(new ShiraTextGenerationOptions { Method = (FineTuningMethod)42 }));
        Assert.AreEqual("Method", unknown.ParamName);
    }

    private static long Number(string text) => long.Parse(text, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"([\d,]+) trainable model parameters; ([\d,]+) of ([\d,]+) model weights changed")]
    private static partial Regex SummaryPattern();
}
