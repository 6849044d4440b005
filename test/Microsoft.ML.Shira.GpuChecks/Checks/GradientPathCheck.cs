using Microsoft.ML.Shira.Adapters.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.GpuChecks.Checks;

/// <summary>
/// <see cref="ShiraGradientPath.Sparse"/> gives <see cref="ShiraGradientPath.Dense"/>'s gradients (values, input) on the
/// device: one 512×256 ShiraLinear with 1% of its entries trainable, a [4, 64, 256] input, float32.
/// </summary>
internal static class GradientPathCheck
{
    private const double RelativeTolerance = 1e-4;

    public static string Run(CheckContext context)
    {
        var generator = new Generator(11);
        var weight = randn([512, 256], generator: generator) * 0.05;
        var bias = randn([512], generator: generator) * 0.05;
        var indices = randperm(512 * 256, generator: generator)[..1310].sort().Values;
        var values = randn([1310], generator: generator) * 0.05;
        var input = randn([4, 64, 256], generator: generator);
        var upstream = randn([4, 64, 512], generator: generator);

        (Tensor Values, Tensor Input, Tensor Output) Gradients(ShiraGradientPath path)
        {
            var linear = nn.Linear(256, 512, device: context.Device);
            using (no_grad())
            {
                linear.weight!.copy_(weight);
                linear.bias!.copy_(bias);
            }
            var layer = new ShiraLinear(linear, indices.to(context.Device), initialValues: values.to(context.Device)) { GradientPath = path };
            var x = input.to(context.Device).requires_grad_();
            var y = layer.call(x);
            (y * upstream.to(context.Device)).sum().backward();
            return (layer.Values.grad!.cpu(), x.grad!.cpu(), y.detach().cpu());
        }

        var sparse = Gradients(ShiraGradientPath.Sparse);
        var dense = Gradients(ShiraGradientPath.Dense);
        double Relative(Tensor a, Tensor b) => CheckModels.MaxAbsDiff(a, b) / Math.Max(1e-12, b.abs().max().item<float>());
        double values_ = Relative(sparse.Values, dense.Values), input_ = Relative(sparse.Input, dense.Input), output = Relative(sparse.Output, dense.Output);
        if (values_ > RelativeTolerance || input_ > RelativeTolerance || output > RelativeTolerance)
            throw new CheckFailedException($"sparse vs dense relative differences: values' gradient {values_:E2}, input's gradient {input_:E2}, output {output:E2} (tolerance {RelativeTolerance:E0}).");
        return $"relative max difference: values' gradient {values_:E2}, input's gradient {input_:E2}, output {output:E2}";
    }
}
