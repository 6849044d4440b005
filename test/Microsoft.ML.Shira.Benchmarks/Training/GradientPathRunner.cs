using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.Shira.Adapters.Layers;
using Microsoft.ML.Shira.Masks;
using static TorchSharp.torch;

/// <summary>
/// <c>--gradient-path [rounds] [tokens]</c>: forward + backward of one adapted Linear on the CPU, sparse path against
/// dense path, in float32 and bfloat16, for several shapes and sparsities, interleaved per round (the input requires
/// gradients, as inside a network). Prints median ms, the ratio sparse/dense and what
/// <see cref="ShiraGradientPathRule.Choose"/> picks, the measurements behind <see cref="ShiraGradientPath.Auto"/>'s CPU rule.
/// </summary>
public static class GradientPathRunner
{
    private static readonly (long Out, long In)[] Shapes = [(64, 64), (256, 256), (384, 384), (1024, 1024), (2816, 1024)];
    private static readonly double[] Sparsities = [0.005, 0.01, 0.02, 0.05, 0.1, 0.2];

    /// <summary>Runs the rounds and prints one table.</summary>
    public static int Run(string[] args)
    {
        int rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 7;
        long tokens = args.Length > 2 ? long.Parse(args[2], CultureInfo.InvariantCulture) : 1024;
        int threads = BenchmarkThreads.Apply();
        Console.WriteLine($"One adapted Linear on the CPU, forward + backward, {tokens} tokens, {rounds} rounds (median), torch threads {threads}");
        Console.WriteLine("| dtype | shape (out×in) | sparsity | k | sparse ms | dense ms | sparse / dense | Auto picks |");
        Console.WriteLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |");
        foreach (var dtype in new[] { ScalarType.Float32, ScalarType.BFloat16 })
        {
            foreach (var (outFeatures, inFeatures) in Shapes)
            {
                foreach (double sparsity in Sparsities)
                {
                    using var scope = NewDisposeScope();
                    var (sparse, dense) = Measure(dtype, outFeatures, inFeatures, sparsity, tokens, rounds, out long k);
                    var auto = ShiraGradientPathRule.Choose(TorchSharp.DeviceType.CPU, dtype, outFeatures, inFeatures, k);
                    Console.WriteLine(FormattableString.Invariant(
                        $"| {Name(dtype)} | {outFeatures}×{inFeatures} | {sparsity:P1} | {k:N0} | {sparse:F2} | {dense:F2} | {sparse / dense:F2} | {auto} |"));
                }
            }
        }
        return 0;
    }

    private static (double Sparse, double Dense) Measure(ScalarType dtype, long outFeatures, long inFeatures, double sparsity, long tokens, int rounds, out long k)
    {
        manual_seed(0);
        var linear = nn.Linear(inFeatures, outFeatures, dtype: dtype);
        k = ShiraBudget.FromSparsity(sparsity).EntriesFor(outFeatures, inFeatures);
        var indices = new RandomMask(0).SelectIndices("layer", linear.weight!, k);
        var values = randn(k) * 0.01;
        var layers = new[]
        {
            new ShiraLinear(linear, indices, 1.0, values) { GradientPath = ShiraGradientPath.Sparse, FreeInputAfterBackward = true },
            new ShiraLinear(linear, indices, 1.0, values) { GradientPath = ShiraGradientPath.Dense },
        };
        var x = randn(tokens, inFeatures).to(dtype).requires_grad_(true);
        var upstream = randn(tokens, outFeatures).to(dtype);
        var times = new[] { new List<double>(), new List<double>() };
        for (int round = -2; round < rounds; round++)
        {
            for (int j = 0; j < layers.Length; j++)
            {
                int c = (Math.Max(round, 0) + j) % layers.Length;
                var clock = Stopwatch.StartNew();
                using (var step = NewDisposeScope())
                {
                    (layers[c].call(x) * upstream).sum().backward();
                    x.grad!.zero_();
                    layers[c].Values.grad!.zero_();
                }
                if (round >= 0)
                    times[c].Add(clock.Elapsed.TotalMilliseconds);
            }
        }
        return (LayerStepRunner.Median(times[0]), LayerStepRunner.Median(times[1]));
    }

    internal static string Name(ScalarType dtype) => dtype switch
    {
        ScalarType.Float32 => "float32",
        ScalarType.BFloat16 => "bfloat16",
        ScalarType.Float16 => "float16",
        _ => dtype.ToString(),
    };
}
