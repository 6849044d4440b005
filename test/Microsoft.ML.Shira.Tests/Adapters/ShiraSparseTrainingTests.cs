using Microsoft.ML.Shira.Adapters.Injection;
using Microsoft.ML.Shira.Adapters.Layers;
using Microsoft.ML.Shira.Masks;
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
        Assert.AreEqual(ShiraGradientPath.Sparse, new ShiraInjectionOptions().GradientPath);
    }

    private static (IReadOnlyList<double> Losses, List<Tensor> Values) Train(ShiraGradientPath path, ScalarType dtype)
    {
        var model = new TinyTransformer(hidden: 32, layers: 2, classes: 3, seed: 11);
        model.to(dtype);
        var options = new ShiraInjectionOptions { TargetModules = { "query", "key", "value", "dense", "fc1", "fc2" }, GradientPath = path };
        var injection = ShiraInjector.Inject(model, options, new RandomMask(3));
        foreach (var layer in injection.Layers)
            layer.Layer.GradientChunkTokens = 7; // 16·6 = 96 tokens per batch: several chunks, the last one short.

        manual_seed(123);
        var teacher = randn(32, 3, dtype: dtype);
        var batches = Enumerable.Range(0, 4).Select(_ =>
        {
            var x = randn(16, 6, 32, dtype: dtype);
            return (X: x, Y: matmul(x.mean(new long[] { 1 }), teacher).argmax(1));
        }).ToList();
        var training = new AdapterTrainingOptions { LearningRate = 0.05, Epochs = 8, ConstantLearningRate = true, MaxGradNorm = 1.0 };
        var losses = AdapterTrainingLoop.Run(injection.Parameters(), batches, b => nn.functional.cross_entropy(model.call(b.X), b.Y), training);
        return (losses, injection.Layers.Select(l => l.Layer.Values.detach().clone()).ToList());
    }
}
