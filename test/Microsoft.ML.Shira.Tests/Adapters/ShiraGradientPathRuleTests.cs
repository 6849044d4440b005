using System.Diagnostics;
using Microsoft.ML.Shira.Adapters.Injection;
using Microsoft.ML.Shira.Adapters.Layers;
using Microsoft.ML.Shira.Masks;
using Microsoft.ML.Shira.Tests.Training;
using Microsoft.ML.Shira.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Tests.Adapters;

/// <summary><see cref="ShiraGradientPath.Auto"/>: the decision per device, type and size, and that it trains exactly like the path it picks.</summary>
[TestClass]
public sealed class ShiraGradientPathRuleTests
{
    [TestMethod]
    [DataRow(ScalarType.Float32, DisplayName = "float32")]
    [DataRow(ScalarType.BFloat16, DisplayName = "bfloat16")]
    [DataRow(ScalarType.Float16, DisplayName = "float16")]
    [DataRow(ScalarType.Float64, DisplayName = "float64")]
    public void OnAGpuAutoIsAlwaysDense(ScalarType dtype)
    {
        // The sparse path's gathers made an H200 bfloat16 step 25x slower than the dense product (docs/gpu.md).
        foreach (var (outFeatures, inFeatures, k) in new[] { (2048L, 2048L, 131_072L), (5632L, 2048L, 245_760L), (64L, 64L, 40L), (8L, 8L, 1L) })
        {
            Assert.AreEqual(ShiraGradientPath.Dense, ShiraGradientPathRule.Choose(DeviceType.CUDA, dtype, outFeatures, inFeatures, k), $"CUDA {dtype} {outFeatures}x{inFeatures} k={k}");
            Assert.AreEqual(ShiraGradientPath.Dense, ShiraGradientPathRule.Choose(DeviceType.MPS, dtype, outFeatures, inFeatures, k), $"MPS {dtype}");
        }
    }

    [TestMethod]
    [DataRow(ScalarType.Float32, ShiraGradientPathRule.CpuSparseMaxDensity, DisplayName = "float32")]
    [DataRow(ScalarType.Float64, ShiraGradientPathRule.CpuSparseMaxDensity, DisplayName = "float64")]
    [DataRow(ScalarType.BFloat16, ShiraGradientPathRule.CpuHalfSparseMaxDensity, DisplayName = "bfloat16")]
    [DataRow(ScalarType.Float16, ShiraGradientPathRule.CpuHalfSparseMaxDensity, DisplayName = "float16")]
    public void OnTheCpuAutoIsSparseForLargeMatricesUpToTheMeasuredDensity(ScalarType dtype, double limit)
    {
        const long Out = 2048, In = 2048;
        long atLimit = (long)Math.Ceiling(limit * Out * In);
        Assert.AreEqual(ShiraGradientPath.Sparse, ShiraGradientPathRule.Choose(DeviceType.CPU, dtype, Out, In, Out * In / 100), "1% (the default sparsity)");
        Assert.AreEqual(ShiraGradientPath.Sparse, ShiraGradientPathRule.Choose(DeviceType.CPU, dtype, Out, In, atLimit), "at the limit");
        foreach (var (rows, columns) in new[] { (384L, 384L), (1024L, 1024L), (2816L, 1024L) })
        {
            long budget = ShiraBudget.FromSparsity(limit).EntriesFor(rows, columns);
            var expected = rows * columns >= (dtype is ScalarType.BFloat16 or ScalarType.Float16 ? ShiraGradientPathRule.CpuHalfSparseMinElements : ShiraGradientPathRule.CpuSparseMinElements)
                ? ShiraGradientPath.Sparse : ShiraGradientPath.Dense;
            Assert.AreEqual(expected, ShiraGradientPathRule.Choose(DeviceType.CPU, dtype, rows, columns, budget), $"a sparsity budget of exactly the limit on {rows}×{columns}");
        }
        Assert.AreEqual(ShiraGradientPath.Dense, ShiraGradientPathRule.Choose(DeviceType.CPU, dtype, Out, In, atLimit + 1), "just above the limit");
        Assert.AreEqual(ShiraGradientPath.Dense, ShiraGradientPathRule.Choose(DeviceType.CPU, dtype, Out, In, Out * In), "every entry trained");
        Assert.AreEqual(ShiraGradientPath.Sparse, ShiraGradientPathRule.Choose(DeviceType.CPU, dtype, 5632, 2048, 245_760), "TinyLlama's MLP at r = 32 (2.1%)");
        var attention = ShiraGradientPathRule.Choose(DeviceType.CPU, dtype, 2048, 2048, 131_072); // TinyLlama's q/o at r = 32 (3.125%)
        Assert.AreEqual(limit >= 0.05 ? ShiraGradientPath.Sparse : ShiraGradientPath.Dense, attention, "TinyLlama's q/o at r = 32 (3.125%)");
        Assert.AreEqual(ShiraGradientPath.Dense, ShiraGradientPathRule.Choose(DeviceType.CPU, dtype, 64, 64, 41), "stories260K's 64×64 projections: too small");
    }

    [TestMethod]
    public void MidSizedMatricesAreSparseInFloat32ButDenseInHalfPrecision()
    {
        // MiniLM's 384×384 and 1536×384 at 1%: the sparse kernel wins in float32, the CPU's bfloat16 product in bfloat16.
        foreach (var (outFeatures, inFeatures) in new[] { (384L, 384L), (1536L, 384L) })
        {
            long k = outFeatures * inFeatures / 100;
            Assert.AreEqual(ShiraGradientPath.Sparse, ShiraGradientPathRule.Choose(DeviceType.CPU, ScalarType.Float32, outFeatures, inFeatures, k));
            Assert.AreEqual(ShiraGradientPath.Dense, ShiraGradientPathRule.Choose(DeviceType.CPU, ScalarType.BFloat16, outFeatures, inFeatures, k));
        }
        Assert.AreEqual(ShiraGradientPath.Dense, ShiraGradientPathRule.Choose(DeviceType.CPU, ScalarType.Float32, 256, 256, 655), "256×256 is below the float32 floor (2^17 weights).");
        Assert.AreEqual(ShiraGradientPath.Sparse, ShiraGradientPathRule.Choose(DeviceType.CPU, ScalarType.Float32, 512, 256, 1310), "512×256 is at the floor.");
    }

    [TestMethod]
    public void TheLayerResolvesAutoFromItsWeightAndKeepsForcedPaths()
    {
        using var scope = NewDisposeScope();
        var linear = nn.Linear(512, 512);
        var sparseShare = new ShiraLinear(linear, arange(0, 2621, dtype: ScalarType.Int64));     // 1%
        var denseShare = new ShiraLinear(linear, arange(0, 131_072, dtype: ScalarType.Int64));   // 50%
        var small = new ShiraLinear(nn.Linear(64, 64), arange(0, 41, dtype: ScalarType.Int64)); // 1% of a small matrix
        Assert.AreEqual(ShiraGradientPath.Auto, sparseShare.GradientPath, "Auto is the layer's default.");
        Assert.AreEqual(ShiraGradientPath.Sparse, sparseShare.EffectiveGradientPath);
        Assert.AreEqual(ShiraGradientPath.Dense, denseShare.EffectiveGradientPath);
        Assert.AreEqual(ShiraGradientPath.Dense, small.EffectiveGradientPath);
        sparseShare.GradientPath = ShiraGradientPath.Dense;
        denseShare.GradientPath = ShiraGradientPath.Sparse;
        Assert.AreEqual(ShiraGradientPath.Dense, sparseShare.EffectiveGradientPath, "A forced path wins over the rule.");
        Assert.AreEqual(ShiraGradientPath.Sparse, denseShare.EffectiveGradientPath, "A forced path wins over the rule.");
        var half = new ShiraLinear(nn.Linear(512, 512, dtype: ScalarType.BFloat16), arange(0, 2621, dtype: ScalarType.Int64));
        Assert.AreEqual(ShiraGradientPath.Dense, half.EffectiveGradientPath, "Auto follows the weight's type: a bfloat16 512×512 is below the floor.");
    }

    [TestMethod]
    [DataRow(384, 0.01, ShiraGradientPath.Sparse, DisplayName = "384×384 at 1%: Auto picks sparse")]
    [DataRow(384, 0.5, ShiraGradientPath.Dense, DisplayName = "384×384 at 50%: Auto picks dense")]
    [DataRow(32, 0.01, ShiraGradientPath.Dense, DisplayName = "32×32 at 1%: Auto picks dense")]
    public void TrainingWithAutoEqualsTrainingWithThePathItPicks(int hidden, double sparsity, ShiraGradientPath expected)
    {
        using var scope = NewDisposeScope();
        var (autoLosses, autoValues, autoLog) = Train(ShiraGradientPath.Auto, hidden, sparsity);
        var (forcedLosses, forcedValues, _) = Train(expected, hidden, sparsity);
        CollectionAssert.AreEqual(forcedLosses.ToList(), autoLosses.ToList(), "Auto must run exactly the path it picks.");
        for (int i = 0; i < forcedValues.Count; i++)
            Assert.IsTrue(TensorBits.Same(autoValues[i], forcedValues[i]), $"Trained values of layer {i} differ.");
        StringAssert.StartsWith(autoLog, $"SHiRA gradient path: {expected} for 4 layers (Auto on cpu, Float32 weights, Float32 values)");
        var (otherLosses, _, _) = Train(expected == ShiraGradientPath.Sparse ? ShiraGradientPath.Dense : ShiraGradientPath.Sparse, hidden, sparsity);
        Assert.IsFalse(otherLosses.SequenceEqual(autoLosses), "The other path rounds differently; equal curves would mean the comparison cannot tell the paths apart.");
    }

    private static (IReadOnlyList<double> Losses, List<Tensor> Values, string Log) Train(ShiraGradientPath path, int hidden, double sparsity)
    {
        var model = new TinyTransformer(hidden: hidden, layers: 2, classes: 3, seed: 11);
        var options = new ShiraInjectionOptions { TargetModules = { "query", "value" }, GradientPath = path, Budget = ShiraBudget.FromSparsity(sparsity) };
        var injection = ShiraInjector.Inject(model, options, new RandomMask(3));
        var batches = TinyTrainingTask.Batches(4, hidden: hidden);
        var task = new TinyTrainingTask(model);
        using var log = new CollectedLog();
        FineTuningLoop.Run(task, [new ParameterGroup(injection.Parameters().ToList(), 0.05)], new TinyTrainingTask.Fixed(batches), null,
            new LoopSettings(Epochs: 3, WeightDecay: 0, WarmupProportion: 0, MaxGradNorm: 1.0, EarlyStoppingPatience: 0, CancellationToken.None), log.Log, Stopwatch.StartNew());
        return (task.StepLosses, injection.Layers.Select(l => l.Layer.Values.detach().clone()).ToList(), injection.DescribeGradientPaths());
    }
}
