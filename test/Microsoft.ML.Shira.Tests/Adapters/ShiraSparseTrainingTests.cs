using System.Diagnostics;
using Microsoft.ML.Shira.Adapters.Injection;
using Microsoft.ML.Shira.Adapters.Layers;
using Microsoft.ML.Shira.Masks;
using Microsoft.ML.Shira.Tests.Training;
using Microsoft.ML.Shira.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Tests.Adapters;

/// <summary>Training with the sparse gradient path follows the dense reference step by step.</summary>
[TestClass]
public sealed class ShiraSparseTrainingTests
{
    [TestMethod]
    [DataRow(ScalarType.Float32, 1e-4, DisplayName = "float32")]
    [DataRow(ScalarType.Float64, 1e-10, DisplayName = "float64")]
    public void SparseAndDensePathsGiveTheSameLossCurve(ScalarType dtype, double tolerance)
    {
        using var scope = NewDisposeScope();
        var (sparseLosses, sparseValues) = Train(ShiraGradientPath.Sparse, dtype);
        var (denseLosses, denseValues) = Train(ShiraGradientPath.Dense, dtype);

        Assert.HasCount(denseLosses.Count, sparseLosses);
        for (int i = 0; i < denseLosses.Count; i++)
            Assert.AreEqual(denseLosses[i], sparseLosses[i], tolerance * Math.Max(1, Math.Abs(denseLosses[i])), $"Loss of step {i + 1}.");
        double first = denseLosses.Take(4).Average(), last = denseLosses.TakeLast(4).Average();
        Assert.IsLessThan(first * 0.9, last, "The run should learn something, or the comparison says little.");
        for (int i = 0; i < denseValues.Count; i++)
            Assert.IsTrue(sparseValues[i].allclose(denseValues[i], rtol: 100 * tolerance, atol: 100 * tolerance), $"Trained values of layer {i} differ.");
    }

    [TestMethod]
    public void InjectionOptionSetsThePathOfEveryLayer()
    {
        var model = new TinyTransformer(seed: 2);
        var options = new ShiraInjectionOptions { TargetModules = { "query", "value" }, GradientPath = ShiraGradientPath.Dense };
        var injection = ShiraInjector.Inject(model, options, new RandomMask(1));
        Assert.IsTrue(injection.Layers.All(l => l.Layer.GradientPath == ShiraGradientPath.Dense));
        Assert.AreEqual(ShiraGradientPath.Auto, new ShiraInjectionOptions().GradientPath, "Auto is the default.");
    }

    private static (IReadOnlyList<double> Losses, List<Tensor> Values) Train(ShiraGradientPath path, ScalarType dtype)
    {
        var model = new TinyTransformer(hidden: 32, layers: 2, classes: 3, seed: 11);
        model.to(dtype);
        var options = new ShiraInjectionOptions { TargetModules = { "query", "key", "value", "dense", "fc1", "fc2" }, GradientPath = path };
        var injection = ShiraInjector.Inject(model, options, new RandomMask(3));
        foreach (var layer in injection.Layers)
            layer.Layer.GradientChunkTokens = 7; // 16·6 = 96 tokens per batch: several chunks, the last one short.

        var batches = TinyTrainingTask.Batches(4, dtype: dtype);
        var task = new TinyTrainingTask(model);
        using var log = new CollectedLog();
        FineTuningLoop.Run(task, [new ParameterGroup(injection.Parameters().ToList(), 0.05)], new TinyTrainingTask.Fixed(batches), null,
            new LoopSettings(Epochs: 8, WeightDecay: 0, WarmupProportion: 0, MaxGradNorm: 1.0, EarlyStoppingPatience: 0, CancellationToken.None), log.Log, Stopwatch.StartNew());
        var losses = task.StepLosses;
        return (losses, injection.Layers.Select(l => l.Layer.Values.detach().clone()).ToList());
    }
}
