using Microsoft.ML.Shira.Adapters.Layers;
using Microsoft.ML.Shira.TextGeneration;

namespace Microsoft.ML.Shira.Tests.MlNet;

/// <summary>
/// <see cref="ShiraTrainerOptionsBase.GradientPath"/>: the trainer logs the path every layer trains with, a forced path is
/// used, and the default <see cref="ShiraGradientPath.Auto"/> trains exactly like the path it picks.
/// </summary>
[TestClass]
public sealed class GradientPathOptionTests
{
    [TestMethod]
    public void AutoIsTheDefaultLoggedAndTrainsLikeThePathItPicks()
    {
        Assert.AreEqual(ShiraGradientPath.Auto, new ShiraTextGenerationOptions().GradientPath);
        Assert.AreEqual(ShiraGradientPath.Auto, new TextClassification.ShiraTextClassificationOptions().GradientPath);

        var (auto, autoLog) = Train(ShiraGradientPath.Auto);
        // stories260K's projections (64×64, 32×64, 172×64) are too small for the sparse path to pay off on the CPU.
        StringAssert.StartsWith(autoLog, "SHiRA gradient path: Dense for 35 layers (Auto on cpu, Float32 weights, Float32 values)");
        var (dense, denseLog) = Train(ShiraGradientPath.Dense);
        StringAssert.StartsWith(denseLog, "SHiRA gradient path: Dense for 35 layers (Dense on cpu,");
        var (sparse, sparseLog) = Train(ShiraGradientPath.Sparse);
        StringAssert.StartsWith(sparseLog, "SHiRA gradient path: Sparse for 35 layers (Sparse on cpu,");

        foreach (var (path, layer) in auto.Layers)
            CollectionAssert.AreEqual(dense.Layers[path].Values, layer.Values, $"{path}: Auto must train exactly like the dense path it picked.");
        Assert.IsTrue(auto.Layers.Any(l => !l.Value.Values.SequenceEqual(sparse.Layers[l.Key].Values)),
            "The sparse path rounds differently; identical adapters would mean the option changed nothing.");
    }

    [TestMethod]
    public void AnUnknownGradientPathIsRefused()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(TextGenerationData.ShakespeareTrain(4));
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Shira().Train(data, new ShiraTextGenerationOptions { GradientPath = (ShiraGradientPath)42 }));
        Assert.AreEqual("GradientPath", error.ParamName);
    }

    private static (Microsoft.ML.Shira.Adapters.SparseAdapter Adapter, string Log) Train(ShiraGradientPath path)
    {
        var ml = new MLContext(seed: 3);
        var messages = new List<string>();
        ml.Log += (_, e) =>
        {
            if (e.Source == "ShiraTextGeneration")
            {
                lock (messages)
                    messages.Add(e.RawMessage);
            }
        };
        using var model = ml.Shira().Train(ml.Data.LoadFromEnumerable(TextGenerationData.ShakespeareTrain(24)), new ShiraTextGenerationOptions
        {
            GradientPath = path,
            Epochs = 1,
            BatchSize = 8,
            MaxSequenceLength = 32,
            NumberOfThreads = 1,
            Seed = 4,
        });
        lock (messages)
            return (model.GetAdapter("default"), messages.Single(m => m.StartsWith("SHiRA gradient path:", StringComparison.Ordinal)));
    }
}
