using Microsoft.ML.Data;
using Microsoft.ML.Shira.Adapters;
using Microsoft.ML.Shira.BaseModels;
using Microsoft.ML.Shira.Masks;
using Microsoft.ML.Shira.Tests.Bert;
using Microsoft.ML.Shira.TextClassification;
using Microsoft.ML.Shira.TextGeneration;
using TorchSharp;

namespace Microsoft.ML.Shira.Tests.MlNet;

/// <summary>
/// The Struct, WeightMagnitude and SNIP masks end to end through both trainers: training runs, the adapter records its
/// mask and has the budget's size, the positions follow the mask's definition (checked against the pretrained weights
/// for WeightMagnitude, the diagonal for Struct), and the model predicts after saving and loading exactly as before.
/// </summary>
[TestClass]
public sealed class MaskEndToEndTests
{
    /// <summary>1% of MiniLM's 36 projections: 6 × (4·1,475 + 2·5,898).</summary>
    private const long MiniLmBudget = 6L * (4 * 1475 + 2 * 5898);

    [TestMethod]
    [DataRow(MaskType.Struct)]
    [DataRow(MaskType.WeightMagnitude)]
    [DataRow(MaskType.Snip)]
    public void TheClassifierTrainsWithTheMask(MaskType mask)
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(Sst2Data.ReadBinary("train", 64, skip: 4000));
        var test = ml.Data.LoadFromEnumerable(Sst2Data.ReadBinary("test", 40, skip: 900));
        using var model = ml.Shira().Train(train, new ShiraTextClassificationOptions
        {
            MaskType = mask,
            CalibrationBatches = 2,
            Epochs = 1,
            MaxSequenceLength = 32,
            NumberOfThreads = 1,
            Seed = 2,
        });
        var adapter = model.GetAdapter(model.Adapters[0]);
        Assert.AreEqual(mask, adapter.Metadata.MaskType);
        Assert.AreEqual(MiniLmBudget, adapter.ParameterCount);
        Assert.IsTrue(adapter.Layers.Values.SelectMany(l => l.Values).Any(v => v != 0), "Training moved the values.");
        CheckPositions(mask, adapter, MiniLmFixture.Encoder.Bert);
        AssertSameAfterSaving(ml, model, test, view => view.GetColumn<float>("Score").ToArray());
    }

    [TestMethod]
    [DataRow(MaskType.Struct)]
    [DataRow(MaskType.WeightMagnitude)]
    [DataRow(MaskType.Snip)]
    public void TheGeneratorTrainsWithTheMask(MaskType mask)
    {
        var ml = new MLContext(seed: 1);
        var heldOut = ml.Data.LoadFromEnumerable(TextGenerationData.ShakespeareHeldOut(40));
        using var model = ml.Shira().Train(ml.Data.LoadFromEnumerable(TextGenerationData.ShakespeareTrain(120)), new ShiraTextGenerationOptions
        {
            MaskType = mask,
            CalibrationBatches = 2,
            Epochs = 1,
            MaxSequenceLength = 64,
            NumberOfThreads = 1,
            Seed = 2,
        });
        var adapter = model.GetAdapter(model.Adapters[0]);
        Assert.AreEqual(mask, adapter.Metadata.MaskType);
        double tuned = model.Perplexity(heldOut);
        model.SwitchToBaseModel();
        double untuned = model.Perplexity(heldOut);
        model.SwitchTo(adapter.Name);
        Console.WriteLine($"{mask}: held-out Shakespeare perplexity {untuned:F1} → {tuned:F1}.");
        Assert.IsLessThan(untuned, tuned, "The adapter lowers held-out perplexity.");
        using (var baseModel = PretrainedDecoders.Stories260K())
            CheckPositions(mask, adapter, baseModel.Model.Module);
        AssertSameAfterSaving(ml, model, heldOut, view => view.GetColumn<string>("GeneratedText").ToArray());
    }

    /// <summary>Struct: every diagonal entry of a square matrix (the mask's first tier). WeightMagnitude: the k largest |W|.</summary>
    private static void CheckPositions(MaskType mask, SparseAdapter adapter, torch.nn.Module pretrained)
    {
        var weights = pretrained.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var layer in adapter.Layers.Values)
        {
            var flat = layer.FlatIndices();
            if (mask == MaskType.Struct && layer.OutFeatures == layer.InFeatures && flat.Length >= layer.OutFeatures)
            {
                var chosen = flat.ToHashSet();
                Assert.IsTrue(Enumerable.Range(0, (int)layer.OutFeatures).All(i => chosen.Contains(i * layer.InFeatures + i)), $"{layer.ModulePath}: the diagonal is in the struct mask.");
            }
            if (mask == MaskType.WeightMagnitude)
            {
                using var scope = torch.NewDisposeScope();
                var magnitudes = weights[layer.ModulePath + ".weight"].detach().abs().flatten().to(torch.float32).data<float>().ToArray();
                var chosen = flat.ToHashSet();
                float smallestChosen = flat.Min(i => magnitudes[i]);
                float largestOther = Enumerable.Range(0, magnitudes.Length).Where(i => !chosen.Contains(i)).Max(i => magnitudes[i]);
                Assert.IsGreaterThanOrEqualTo(largestOther, smallestChosen, $"{layer.ModulePath}: the chosen entries are the largest |W|.");
            }
        }
    }

    private static void AssertSameAfterSaving<T>(MLContext ml, ITransformer model, IDataView data, Func<IDataView, T[]> outputs)
    {
        string directory = TestPaths.NewTempDirectory();
        try
        {
            string path = Path.Combine(directory, "model.zip");
            ml.Shira().Model.Save(model, data.Schema, path);
            var loaded = ml.Shira().Model.Load(path, out _);
            using ((IDisposable)loaded)
                CollectionAssert.AreEqual(outputs(model.Transform(data)), outputs(loaded.Transform(data)), "Saved and loaded, the model predicts the same.");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
