using Microsoft.ML.Shira.Adapters.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.GpuChecks.Checks;

/// <summary>
/// <see cref="ShiraGradientPath.Sparse"/> and the dense path that keeps only the input (the default off the CPU) give the
/// gradients (values, input) of the dense path recorded by plain autograd, on the device: one 512×256 ShiraLinear with 1%
/// of its entries trainable, a [4, 64, 256] input, float32.
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

        (Tensor Values, Tensor Input, Tensor Output) Gradients(ShiraGradientPath path, bool? denseKeepsOnlyInput = null)
        {
            var linear = nn.Linear(256, 512, device: context.Device);
            using (no_grad())
            {
                linear.weight!.copy_(weight);
                linear.bias!.copy_(bias);
            }
            var layer = new ShiraLinear(linear, indices.to(context.Device), initialValues: values.to(context.Device))
            {
                GradientPath = path,
                DenseKeepsOnlyInput = denseKeepsOnlyInput,
            };
            var x = input.to(context.Device).requires_grad_();
            var y = layer.call(x);
            (y * upstream.to(context.Device)).sum().backward();
            return (layer.Values.grad!.cpu(), x.grad!.cpu(), y.detach().cpu());
        }

        var reference = Gradients(ShiraGradientPath.Dense, denseKeepsOnlyInput: false);
        double Relative(Tensor a, Tensor b) => CheckModels.MaxAbsDiff(a, b) / Math.Max(1e-12, b.abs().max().item<float>());
        var lines = new List<string>();
        foreach (var (name, result) in new[] { ("sparse", Gradients(ShiraGradientPath.Sparse)), ("dense keeping only the input", Gradients(ShiraGradientPath.Dense, denseKeepsOnlyInput: true)) })
        {
            double values_ = Relative(result.Values, reference.Values), input_ = Relative(result.Input, reference.Input), output = Relative(result.Output, reference.Output);
            if (values_ > RelativeTolerance || input_ > RelativeTolerance || output > RelativeTolerance)
                throw new CheckFailedException($"{name} vs autograd's dense path, relative differences: values' gradient {values_:E2}, input's gradient {input_:E2}, output {output:E2} (tolerance {RelativeTolerance:E0}).");
            lines.Add($"{name}: values' gradient {values_:E2}, input's gradient {input_:E2}, output {output:E2}");
        }
        return "relative max difference to autograd's dense path: " + string.Join("; ", lines);
    }
}
