using TorchSharp;
using System.IO.Compression;
using System.Text.Json;
using Microsoft.ML.Shira.Adapters;
using Microsoft.ML.Shira.Adapters.Layers;
using Microsoft.ML.Shira.BaseModels;
using Microsoft.ML.Shira.Decoding;
using Microsoft.ML.Shira.TextClassification;
using Microsoft.ML.Shira.TextGeneration;

namespace Microsoft.ML.Shira.Tests.MlNet;

/// <summary>
/// <see cref="ShiraTrainerOptionsBase.BaseModelPrecision"/>: the trainers load the base in bfloat16/float16 (exactly the
/// float32 checkpoint rounded), keep the trained values float32, follow the float32 run, and model files rebuild the
/// half-precision model bit for bit; adapters are checked across base types by their recorded base type.
/// </summary>
[TestClass]
public sealed class BaseModelPrecisionTests
{
    private static readonly string[] Prompts = ["ROMEO:\n", "First Citizen:\nWe are"];

    private static ShiraTextGenerationOptions GenerationOptions(ShiraPrecision precision, FineTuningMethod method = FineTuningMethod.Shira) => new()
    {
        Epochs = 2,
        MaxSequenceLength = 64,
        NumberOfThreads = 1,
        Seed = 3,
        Method = method,
        BaseModelPrecision = precision,
        Generation = new GenerationOptions { MaxNewTokens = 12 },
    };

    private static ShiraTextGenerationTransformer TrainGenerator(MLContext ml, ShiraPrecision precision, FineTuningMethod method = FineTuningMethod.Shira) =>
        ml.Shira().TextGeneration(GenerationOptions(precision, method)).Fit(ml.Data.LoadFromEnumerable(TextGenerationData.ShakespeareTrain(96)));

    [TestMethod]
    [DataRow(ShiraPrecision.BFloat16, "BF16")]
    [DataRow(ShiraPrecision.Float16, "F16")]
    public void GeneratorTrainsOnAHalfPrecisionBaseLikeTheFloat32RunAndAModelFileRebuildsItExactly(ShiraPrecision precision, string safetensorsType)
    {
        var ml = new MLContext(seed: 1);
        var heldOut = ml.Data.LoadFromEnumerable(TextGenerationData.ShakespeareHeldOut(40));
        using var full = TrainGenerator(ml, ShiraPrecision.Float32);
        using var half = TrainGenerator(ml, precision);

        // The base is the float32 checkpoint rounded to the type, the trained values stay float32.
        Assert.AreEqual(ShiraPrecision.Float32, full.Engine.BasePrecision);
        Assert.AreEqual(precision, half.Engine.BasePrecision);
        using (var reference = PretrainedDecoders.Stories260K())
        {
            reference.Model.Module.to(precision.ToScalarType());
            Assert.AreEqual(BaseModelFingerprint.OfModel(reference.Model.Module), half.Engine.BaseFingerprint);
        }
        var adapter = half.GetAdapter("default");
        Assert.AreEqual("F32", adapter.Metadata.DType);
        Assert.AreEqual(safetensorsType, adapter.Metadata.BaseModelDType);
        Assert.AreEqual("F32", full.GetAdapter("default").Metadata.BaseModelDType);

        // Training in the half type follows the float32 run: held-out perplexity within 3%, and both learned.
        double fullPerplexity = full.Perplexity(heldOut), halfPerplexity = half.Perplexity(heldOut);
        half.SwitchToBaseModel();
        double basePerplexity = half.Perplexity(heldOut);
        half.SwitchTo("default");
        Console.WriteLine($"{precision}: held-out perplexity {halfPerplexity:F4} (base {basePerplexity:F4}), Float32 {fullPerplexity:F4}");
        Assert.IsLessThan(0.03, Math.Abs(halfPerplexity / fullPerplexity - 1), $"{halfPerplexity} vs {fullPerplexity}");
        Assert.IsLessThan(0.9 * basePerplexity, halfPerplexity, "training in the half type learned");

        // A model file records the type and rebuilds the half-precision model: same text, bit-identical perplexity.
        InTempFolder(directory =>
        {
            string path = Path.Combine(directory, "half.zip");
            ml.Shira().Model.Save(half, heldOut.Schema, path);
            using (var zip = ZipFile.OpenRead(path))
            using (var manifest = JsonDocument.Parse(zip.GetEntry("Shira/manifest.json")!.Open()))
            {
                var baseNode = manifest.RootElement.GetProperty("model").GetProperty("settings").GetProperty("base");
                Assert.AreEqual(precision.ToFileName(), baseNode.GetProperty("precision").GetString());
            }
            using var loaded = (ShiraTextGenerationTransformer)ml.Shira().Model.Load(path, out _);
            Assert.AreEqual(precision, loaded.Engine.BasePrecision);
            CollectionAssert.AreEqual(Prompts.Select(p => half.Generate(p).Text).ToList(), Prompts.Select(p => loaded.Generate(p).Text).ToList());
            Assert.AreEqual(halfPerplexity, loaded.Perplexity(heldOut));
        });
    }

    [TestMethod]
    public void AdapterOfAHalfPrecisionBaseAppliesToTheFloat32BaseAndNotTheReverse()
    {
        var ml = new MLContext(seed: 1);
        var heldOut = ml.Data.LoadFromEnumerable(TextGenerationData.ShakespeareHeldOut(40));
        using var full = TrainGenerator(ml, ShiraPrecision.Float32);
        using var half = TrainGenerator(ml, ShiraPrecision.BFloat16);
        var halfAdapter = half.GetAdapter("default");
        var fullAdapter = full.GetAdapter("default");

        // bfloat16 base weights are the float32 ones rounded, so the float32 model checks the fingerprint by rounding;
        // the adapter then works there as on its own base.
        full.AddAdapter(Renamed(halfAdapter, "from-bf16"));
        full.SwitchTo("from-bf16");
        double onFloat32 = full.Perplexity(heldOut), onOwnBase = half.Perplexity(heldOut);
        Assert.IsLessThan(0.03, Math.Abs(onFloat32 / onOwnBase - 1), $"{onFloat32} vs {onOwnBase}");

        // The reverse cannot be checked: float32 weights cannot be recovered from bfloat16 ones.
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => half.AddAdapter(Renamed(fullAdapter, "from-f32")));
        StringAssert.Contains(error.Message, "trained on Float32 base weights");
        StringAssert.Contains(error.Message, "cannot be widened");
        StringAssert.Contains(error.Message, "BaseModelPrecision");

        // A bfloat16 adapter of other base weights is still refused by the float32 model.
        var tampered = new SparseAdapter("tampered", halfAdapter.Layers.Values, halfAdapter.Metadata with { BaseModelFingerprint = new string('a', 64) });
        var mismatch = Assert.ThrowsExactly<InvalidOperationException>(() => full.AddAdapter(tampered));
        StringAssert.Contains(mismatch.Message, "trained on BFloat16 base weights");
    }

    [TestMethod]
    public void LoraTrainsOnABFloat16BaseWithFloat32Factors()
    {
        var ml = new MLContext(seed: 1);
        using var lora = TrainGenerator(ml, ShiraPrecision.BFloat16, FineTuningMethod.Lora);
        Assert.AreEqual(ShiraPrecision.BFloat16, lora.Engine.BasePrecision);
        var adapter = lora.GetAdapter("default");
        Assert.AreEqual("BF16", adapter.Metadata.BaseModelDType);
        Assert.IsTrue(adapter.Layers.Values.All(l => l.Values.All(float.IsFinite)));
        Assert.IsTrue(adapter.Layers.Values.Any(l => l.Values.Any(v => v != 0)), "LoRA learned an update");

        using var scope = torch.NewDisposeScope();
        using var linear = torch.nn.Linear(16, 8, dtype: torch.ScalarType.BFloat16);
        using var layer = new LoraLinear(linear, rank: 2, alpha: 4);
        Assert.AreEqual(torch.ScalarType.Float32, layer.A.dtype);
        Assert.AreEqual(torch.ScalarType.Float32, layer.B.dtype);
        using (torch.no_grad())
            layer.B.copy_(torch.ones(8, 2));
        var x = torch.randn(3, 16).to(torch.ScalarType.BFloat16);
        var y = layer.call(x);
        Assert.AreEqual(torch.ScalarType.BFloat16, y.dtype);
        // The product runs on the factors rounded to the input's type, as under autocast.
        var expected = torch.nn.functional.linear(x, linear.weight!, linear.bias)
            + torch.nn.functional.linear(torch.nn.functional.linear(x, layer.A.to(torch.ScalarType.BFloat16)), layer.B.to(torch.ScalarType.BFloat16)) * 2.0;
        Assert.IsTrue(y.to(torch.ScalarType.Float32).allclose(expected.to(torch.ScalarType.Float32), rtol: 1e-2, atol: 1e-2));
        y.to(torch.ScalarType.Float32).sum().backward();
        Assert.AreEqual(torch.ScalarType.Float32, layer.A.grad!.dtype);
        Assert.IsTrue(layer.A.grad!.abs().sum().item<float>() > 0);
    }

    [TestMethod]
    public void ClassifierTrainsOnABFloat16BaseLikeTheFloat32RunAndAModelFileRebuildsItExactly()
    {
        var ml = new MLContext(seed: 2);
        var train = ml.Data.LoadFromEnumerable(Sst2Data.ReadBinary("train", 160, skip: 2000));
        var test = ml.Data.LoadFromEnumerable(Sst2Data.ReadBinary("test", 200, skip: 400));
        ShiraTextClassificationOptions Options(ShiraPrecision precision) => new()
        {
            Epochs = 2,
            MaxSequenceLength = 40,
            NumberOfThreads = 1,
            Seed = 5,
            BaseModelPrecision = precision,
        };
        using var full = ml.Shira().Train(train, Options(ShiraPrecision.Float32));
        using var half = ml.Shira().Train(train, Options(ShiraPrecision.BFloat16));
        Assert.AreEqual(ShiraPrecision.BFloat16, half.Engine.BasePrecision);
        Assert.AreEqual("BF16", half.GetAdapter("default").Metadata.BaseModelDType);

        var fullMetrics = ml.BinaryClassification.Evaluate(full.Transform(test));
        var halfMetrics = ml.BinaryClassification.Evaluate(half.Transform(test));
        Console.WriteLine($"SST-2 accuracy: BFloat16 base {halfMetrics.Accuracy:F4} (AUC {halfMetrics.AreaUnderRocCurve:F4}), Float32 base {fullMetrics.Accuracy:F4} (AUC {fullMetrics.AreaUnderRocCurve:F4})");
        Assert.IsLessThanOrEqualTo(0.05, Math.Abs(halfMetrics.Accuracy - fullMetrics.Accuracy));
        Assert.IsGreaterThan(0.6, halfMetrics.Accuracy);

        InTempFolder(directory =>
        {
            string path = Path.Combine(directory, "half.zip");
            ml.Shira().Model.Save(half, test.Schema, path);
            using var loaded = (ShiraTextClassificationTransformer)ml.Shira().Model.Load(path, out _);
            Assert.AreEqual(ShiraPrecision.BFloat16, loaded.Engine.BasePrecision);
            CollectionAssert.AreEqual(Scores(ml, half, test), Scores(ml, loaded, test));
        });
    }

    [TestMethod]
    public void FullFineTuningInAHalfTypeAndUnknownPrecisionsAreRefused()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(TextGenerationData.ShakespeareTrain(4));
        var error = Assert.ThrowsExactly<ArgumentException>(() =>
            ml.Shira().TextGeneration(GenerationOptions(ShiraPrecision.BFloat16, FineTuningMethod.FullFineTuning)).Fit(train).Dispose());
        Assert.AreEqual(nameof(ShiraTrainerOptionsBase.BaseModelPrecision), error.ParamName);
        StringAssert.Contains(error.Message, "FullFineTuning");

        var unknown = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() =>
            ml.Shira().TextGeneration(GenerationOptions((ShiraPrecision)7)).Fit(train).Dispose());
        Assert.AreEqual(nameof(ShiraTrainerOptionsBase.BaseModelPrecision), unknown.ParamName);
    }

    /// <summary>Runs <paramref name="test"/> with a fresh temporary folder, deleted afterwards.</summary>
    private static void InTempFolder(Action<string> test)
    {
        string directory = TestPaths.NewTempDirectory();
        try
        {
            test(directory);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static SparseAdapter Renamed(SparseAdapter adapter, string name) => new(name, adapter.Layers.Values, adapter.Metadata);

    private static List<float> Scores(MLContext ml, ITransformer model, IDataView data) =>
        ml.Data.CreateEnumerable<ScoreRow>(model.Transform(data), reuseRowObject: false).Select(r => r.Score).ToList();

    private sealed class ScoreRow
    {
        public float Score { get; set; }
    }
}
