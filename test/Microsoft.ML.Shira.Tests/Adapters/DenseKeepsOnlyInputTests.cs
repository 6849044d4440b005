using Microsoft.ML.Shira.Adapters.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Tests.Adapters;

/// <summary>
/// The dense path recorded through the SHiRA function (keeping only the input; the default off the CPU) gives the
/// output and the gradients of the dense path recorded by plain autograd (which keeps <c>W_eff</c>), in float32 and with
/// bfloat16/float16 weights and float32 master values, with and without a bias, through a few AdamW steps.
/// </summary>
[TestClass]
public sealed class DenseKeepsOnlyInputTests
{
    [TestMethod]
    [DataRow(ScalarType.Float32, true)]
    [DataRow(ScalarType.Float32, false)]
    [DataRow(ScalarType.BFloat16, true)]
    [DataRow(ScalarType.Float16, false)]
    public void GivesAutogradsDensePathOutputAndGradients(ScalarType dtype, bool withBias)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(17);
        var weight = (randn([48, 80], generator: generator) * 0.1).to(dtype);
        var bias = (randn([48], generator: generator) * 0.1).to(dtype);
        var indices = randperm(48 * 80, generator: generator)[..200].sort().Values;
        var values = randn([200], generator: generator) * 0.05;
        var input = randn([3, 7, 80], generator: generator).to(dtype);
        var target = randn([3, 7, 48], generator: generator);

        List<(Tensor Output, Tensor Values, Tensor Input)> Train(bool keepsOnlyInput)
        {
            var linear = nn.Linear(80, 48, hasBias: withBias, dtype: dtype);
            using (no_grad())
            {
                linear.weight!.copy_(weight);
                if (withBias)
                    linear.bias!.copy_(bias);
            }
            var layer = new ShiraLinear(linear, indices, 0.5, values.clone())
            {
                GradientPath = ShiraGradientPath.Dense,
                DenseKeepsOnlyInput = keepsOnlyInput,
                FreeInputAfterBackward = true,
            };
            var optimizer = optim.AdamW([layer.Values], lr: 1e-2);
            var steps = new List<(Tensor, Tensor, Tensor)>();
            for (int step = 0; step < 3; step++)
            {
                optimizer.zero_grad();
                var x = input.detach().requires_grad_();
                var y = layer.call(x);
                nn.functional.mse_loss(y.to(ScalarType.Float32), target).backward();
                steps.Add((y.detach().clone(), layer.Values.grad!.clone(), x.grad!.clone()));
                optimizer.step();
            }
            return steps;
        }

        var function = Train(keepsOnlyInput: true);
        var autograd = Train(keepsOnlyInput: false);
        for (int step = 0; step < 3; step++)
        {
            Assert.AreEqual(ScalarType.Float32, function[step].Values.dtype);
            AssertEqual(autograd[step].Output, function[step].Output, $"step {step}: output");
            AssertEqual(autograd[step].Values, function[step].Values, $"step {step}: values' gradient");
            AssertEqual(autograd[step].Input, function[step].Input, $"step {step}: input's gradient");
        }
    }

    /// <summary>Equal up to the last bit of float32 accumulation order (the same products, possibly summed in another order).</summary>
    private static void AssertEqual(Tensor expected, Tensor actual, string what)
    {
        double scale = Math.Max(1e-6, expected.to(ScalarType.Float64).abs().max().item<double>());
        double difference = (actual.to(ScalarType.Float64) - expected.to(ScalarType.Float64)).abs().max().item<double>();
        Assert.IsLessThanOrEqualTo(1e-6 * scale, difference, $"{what}: max difference {difference:E2} (largest {scale:E2})");
    }
}
