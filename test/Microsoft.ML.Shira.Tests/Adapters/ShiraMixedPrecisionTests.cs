using System.Text;
using System.Text.Json;
using Microsoft.ML.Shira.Adapters.Injection;
using Microsoft.ML.Shira.Adapters.Layers;
using Microsoft.ML.Shira.Adapters.Switching;
using Microsoft.ML.Shira.Checkpoints.Peft;
using Microsoft.ML.Shira.Masks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Tests.Adapters;

/// <summary>
/// bfloat16/float16 base weights with float32 master values: small AdamW steps are kept, the forward is the
/// dense-equivalent one, merge and switching use the same arithmetic, and switching off restores the weights bit for bit.
/// </summary>
[TestClass]
public sealed class ShiraMixedPrecisionTests
{
    private const long In = 64, Out = 32, K = 100;

    [TestMethod]
    [DataRow(ScalarType.BFloat16, ShiraGradientPath.Sparse, DisplayName = "bfloat16, sparse path")]
    [DataRow(ScalarType.BFloat16, ShiraGradientPath.Dense, DisplayName = "bfloat16, dense path")]
    [DataRow(ScalarType.Float16, ShiraGradientPath.Sparse, DisplayName = "float16, sparse path")]
    [DataRow(ScalarType.Float16, ShiraGradientPath.Dense, DisplayName = "float16, dense path")]
    public void SmallAdamWStepsAreKeptByFloat32MasterValuesAndLostInTheHalfType(ScalarType dtype, ShiraGradientPath path)
    {
        using var scope = NewDisposeScope();
        const int Steps = 30;
        const double LearningRate = 1e-5; // far below half a bfloat16/float16 step of values in [0.5, 1) (2^-9 / 2^-12)
        var (linear, indices, initial, x, target) = Problem(dtype, seed: 3);
        var master = new ShiraLinear(linear, indices, 1.0, initial) { GradientPath = path };
        var half = new ShiraLinear(linear, indices, 1.0, initial, valueDType: dtype) { GradientPath = path };
        Assert.AreEqual(ScalarType.Float32, master.Values.dtype, "Half-precision weights get float32 master values by default.");
        Assert.AreEqual(dtype, half.Values.dtype);
        var halfStart = half.Values.detach().clone();

        // The reference: the same model in float32 through plain TorchSharp autograd, values as a float32 leaf.
        var weight32 = linear.weight!.detach().to(ScalarType.Float32);
        var bias32 = linear.bias!.detach().to(ScalarType.Float32);
        var reference = new Parameter(initial.clone(), requires_grad: true);
        Tensor ReferenceForward(Tensor input) =>
            nn.functional.linear(input.to(ScalarType.Float32), weight32.flatten().index_add(0, indices, reference, 1.0).view(Out, In), bias32);

        foreach (var (parameter, forward) in new (Parameter, Func<Tensor, Tensor>)[] { (master.Values, master.call), (half.Values, half.call), (reference, ReferenceForward) })
        {
            using var optimizer = optim.AdamW(new[] { parameter }, LearningRate, weight_decay: 0);
            for (int step = 0; step < Steps; step++)
            {
                using var stepScope = NewDisposeScope();
                optimizer.zero_grad();
                nn.functional.mse_loss(forward(x).to(ScalarType.Float32), target).backward();
                Assert.AreEqual(parameter.dtype, parameter.grad!.dtype, "The gradient has the values' type.");
                optimizer.step();
            }
        }

        var masterMoved = master.Values.detach() - initial;
        var referenceMoved = reference.detach() - initial;
        Assert.IsGreaterThan(0.5 * Steps * LearningRate, referenceMoved.abs().mean().ToDouble(), "The float32 reference moves by about lr per step.");
        double disagreement = (masterMoved - referenceMoved).norm().ToDouble() / referenceMoved.norm().ToDouble();
        Assert.IsLessThan(0.1, disagreement, $"Float32 master values must follow the float32 reference (relative difference {disagreement:E2}).");
        // Values kept in the half type do not follow: in bfloat16 every one of these steps rounds away; in float16 AdamW's
        // own state underflows too (its second moment and ε are below float16's range), so the values go nowhere useful.
        var halfMoved = half.Values.detach().to(ScalarType.Float32) - halfStart.to(ScalarType.Float32);
        double halfDisagreement = (halfMoved - referenceMoved).norm().ToDouble() / referenceMoved.norm().ToDouble();
        Assert.IsFalse(halfDisagreement < 0.5, $"Half-type values followed the float32 reference (relative difference {halfDisagreement:E2}); the test shows nothing.");
        if (dtype == ScalarType.BFloat16)
            Assert.IsTrue(TensorBits.Same(half.Values.detach(), halfStart), "In bfloat16 every one of these steps rounds away.");
    }

    [TestMethod]
    [DataRow(ScalarType.BFloat16, 2e-2, DisplayName = "bfloat16")]
    [DataRow(ScalarType.Float16, 4e-3, DisplayName = "float16")]
    public void HalfForwardWithMasterValuesIsTheDenseEquivalentForward(ScalarType dtype, double tolerance)
    {
        using var scope = NewDisposeScope();
        var (linear, indices, initial, x, _) = Problem(dtype, seed: 5);
        var values = initial + randn(K, generator: new Generator(6)) * 1e-3; // digits a half type cannot hold
        var layer = new ShiraLinear(linear, indices, 0.75, values);

        // Dense equivalent in the half type: every adapted entry W + α·v computed in float32, rounded once.
        var effective = linear.weight!.detach().to(ScalarType.Float32).flatten().index_add(0, indices, values * 0.75, 1.0).view(Out, In);
        var expected = nn.functional.linear(x, effective.to(dtype), linear.bias!.detach());
        Tensor inference, training;
        using (no_grad())
            inference = layer.call(x);
        var input = x.detach().clone().requires_grad_(true);
        layer.GradientPath = ShiraGradientPath.Sparse;
        training = layer.call(input).detach();
        Assert.AreEqual(dtype, inference.dtype);
        Assert.IsTrue(TensorBits.Same(inference, expected), "The forward is linear(x, cast(W + α·v)) exactly.");
        Assert.IsTrue(TensorBits.Same(training, expected), "The sparse training path computes the same forward.");
        Assert.IsTrue(TensorBits.Same(layer.EffectiveWeight(), effective.to(dtype)));

        // Against the float32 model (W + α·v in float32, x as given): within the half type's tolerance.
        var float32 = nn.functional.linear(x.to(ScalarType.Float32), effective, linear.bias!.detach().to(ScalarType.Float32));
        double worst = (inference.to(ScalarType.Float32) - float32).abs().max().ToDouble();
        Assert.IsTrue(inference.to(ScalarType.Float32).allclose(float32, rtol: tolerance, atol: tolerance * 8), $"max |difference| {worst:E3}");
    }

    [TestMethod]
    [DataRow(ScalarType.BFloat16, false, DisplayName = "bfloat16")]
    [DataRow(ScalarType.BFloat16, true, DisplayName = "bfloat16, consolidated")]
    [DataRow(ScalarType.Float16, false, DisplayName = "float16")]
    public void TrainedHalfModelSwitchesToItsTrainedWeightsAndBackBitExactly(ScalarType dtype, bool consolidate)
    {
        using var scope = NewDisposeScope();
        var model = new TinyTransformer(hidden: 32, layers: 2, classes: 3, seed: 11);
        model.to(dtype);
        var baseline = AdapterTestData.Snapshot(model);
        var injection = ShiraInjector.Inject(model, new ShiraInjectionOptions { TargetModules = { "query", "value", "fc1" }, Scaling = 0.5 }, new RandomMask(2));
        var x = randn(new long[] { 4, 6, 32 }, generator: new Generator(1)).to(dtype);
        using (var optimizer = optim.AdamW(injection.Parameters(), 1e-2, weight_decay: 0))
        {
            for (int step = 0; step < 5; step++)
            {
                using var stepScope = NewDisposeScope();
                optimizer.zero_grad();
                model.call(x).to(ScalarType.Float32).pow(2).mean().backward();
                optimizer.step();
            }
        }
        Assert.IsTrue(injection.Parameters().All(p => p.dtype == ScalarType.Float32), "Trained values stay float32.");
        var trainedWeights = injection.Layers.ToDictionary(l => l.ModulePath + ".weight", l => l.Layer.EffectiveWeight().detach().clone());
        Tensor trainedOutput;
        using (no_grad())
            trainedOutput = model.call(x).detach().clone();
        var adapter = injection.ToAdapter("trained");
        Assert.AreEqual("F32", adapter.Metadata.DType, "The adapter records float32 values.");
        injection.Unload();
        AdapterTestData.AssertBitwiseEqual(baseline, model);

        using var switcher = new FusedAdapterSwitcher(model, consolidate);
        switcher.Register(adapter);
        switcher.Activate("trained");
        foreach (var (name, parameter) in model.named_parameters())
        {
            if (trainedWeights.TryGetValue(name, out var trained))
                Assert.IsTrue(TensorBits.Same(parameter, trained), $"{name}: the switched-in weight is the trained effective weight, bit for bit.");
        }
        using (no_grad())
            Assert.IsTrue(TensorBits.Same(model.call(x), trainedOutput), "The switched model computes what the trained model computed.");
        switcher.Deactivate();
        AdapterTestData.AssertBitwiseEqual(baseline, model);
    }

    [TestMethod]
    public void MergeWritesTheTrainedEffectiveWeightInTheWeightsType()
    {
        using var scope = NewDisposeScope();
        var (linear, indices, initial, _, _) = Problem(ScalarType.BFloat16, seed: 9);
        var layer = new ShiraLinear(linear, indices, 1.5, initial + 1e-3);
        var effective = layer.EffectiveWeight().detach().clone();
        var merged = layer.MergeAndUnload();
        Assert.AreEqual(ScalarType.BFloat16, merged.weight!.dtype);
        Assert.IsTrue(TensorBits.Same(merged.weight!, effective));
    }

    [TestMethod]
    public void PeftFileOfABFloat16TrainingHoldsFloat32Values()
    {
        using var scope = NewDisposeScope();
        var model = new TinyTransformer(hidden: 32, layers: 1, classes: 3, seed: 4);
        model.to(ScalarType.BFloat16);
        var injection = ShiraInjector.Inject(model, new ShiraInjectionOptions { TargetModules = { "query" } }, new RandomMask(5));
        using (no_grad())
            injection.Parameters().Single().copy_(randn(injection.Parameters().Single().shape) * 1e-3 + 0.25);
        var expected = injection.Layers.Single().Layer.Values.detach().to(ScalarType.Float32).data<float>().ToArray();
        var (weights, config) = PeftShiraAdapterFile.ToBytes(injection.ToAdapter("a"));

        long headerLength = BitConverter.ToInt64(weights, 0);
        using var header = JsonDocument.Parse(Encoding.UTF8.GetString(weights, 8, (int)headerLength));
        var valueEntries = header.RootElement.EnumerateObject().Where(p => p.Name.EndsWith(".shira_weight", StringComparison.Ordinal)).ToList();
        Assert.HasCount(1, valueEntries);
        Assert.AreEqual("F32", valueEntries[0].Value.GetProperty("dtype").GetString(), "PEFT keeps SHiRA values in float32 (autocast_adapter_dtype); so does the file.");
        var reloaded = PeftShiraAdapterFile.FromBytes(weights, config, "memory");
        CollectionAssert.AreEqual(expected, reloaded.Layers.Values.Single().Values, "The float32 master values are saved without rounding to bfloat16.");
    }

    /// <summary>A half-precision Linear, K distinct positions, values in [0.5, 1), an input in the half type and a float32 target.</summary>
    private static (Linear Linear, Tensor Indices, Tensor Initial, Tensor X, Tensor Target) Problem(ScalarType dtype, int seed)
    {
        var generator = new Generator((ulong)seed);
        var linear = nn.Linear(In, Out, dtype: dtype);
        using (no_grad())
        {
            linear.weight!.copy_(randn(new long[] { Out, In }, generator: generator) * 0.2);
            linear.bias!.copy_(randn(new long[] { Out }, generator: generator) * 0.1);
        }
        var indices = randperm(Out * In, generator: generator).narrow(0, 0, K);
        var initial = rand(new long[] { K }, generator: generator) * 0.5 + 0.5;
        var x = randn(new long[] { 16, In }, generator: generator).to(dtype);
        var target = randn(new long[] { 16, Out }, generator: generator);
        return (linear, indices, initial, x, target);
    }
}
