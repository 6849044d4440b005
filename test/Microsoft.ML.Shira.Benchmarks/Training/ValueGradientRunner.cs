using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.Shira.Adapters.Layers;
using Microsoft.ML.Shira.Masks;
using static TorchSharp.torch;

/// <summary>
/// <c>--value-gradient [rounds]</c>: the weight-gradient part of one layer's backward alone, 2,048 tokens, interleaved:
/// the dense <c>gᵀ·x</c> product the dense path forms, the device-agnostic gather path (index_select of k columns of g
/// and x per token chunk, multiply, sum) and the CPU kernel the sparse path uses (per-chunk transposes + one SIMD dot
/// per entry). Explains why the CPU kernel, not the gather path, is the default on the CPU.
/// </summary>
public static class ValueGradientRunner
{
    /// <summary>Runs the rounds and prints one table per shape.</summary>
    public static int Run(string[] args)
    {
        int rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 21;
        int threads = BenchmarkThreads.Apply();
        Console.WriteLine($"Weight/value gradient of one layer, 2,048 tokens, {rounds} rounds, torch threads {threads}");
        foreach (var (outFeatures, inFeatures) in new[] { (384L, 384L), (1536L, 384L), (384L, 1536L) })
        {
            using var scope = NewDisposeScope();
            manual_seed(0);
            long k = ShiraBudget.FromSparsity(0.01).EntriesFor(outFeatures, inFeatures);
            var flat = new RandomMask(0).SelectIndices("layer", zeros(outFeatures, inFeatures), k);
            var settings = new ShiraSparseLinearSettings(1.0, 0, ShiraSparseForward.EffectiveWeight, ShiraPositions.FromTensor(flat, inFeatures), FreeInputAfterBackward: true);
            var g = randn(2048, outFeatures);
            var x = randn(2048, inFeatures);
            var candidates = new (string Name, Func<Tensor> Run)[]
            {
                ("dense gᵀ·x (dense path)", () => g.t().mm(x)),
                ("gathered columns (non-CPU fallback)", () => ShiraSparseLinearFunction.GatheredValueGradient(g, x, flat, settings)),
                ("CPU kernel (sparse path default)", () => ShiraSparseLinearFunction.ValueGradient(g, x, flat, settings)),
            };
            var times = candidates.Select(_ => new List<double>()).ToArray();
            for (int round = -2; round < rounds; round++)
            {
                for (int j = 0; j < candidates.Length; j++)
                {
                    int c = (Math.Max(round, 0) + j) % candidates.Length;
                    var clock = Stopwatch.StartNew();
                    candidates[c].Run().Dispose();
                    if (round >= 0)
                        times[c].Add(clock.Elapsed.TotalMilliseconds);
                }
            }
            double dense = LayerStepRunner.Median(times[0]);
            Console.WriteLine($"{outFeatures}x{inFeatures} (k = {k})");
            Console.WriteLine("| computation | median ms | min ms | ratio to dense gᵀ·x |");
            Console.WriteLine("| --- | ---: | ---: | ---: |");
            for (int c = 0; c < candidates.Length; c++)
                Console.WriteLine(FormattableString.Invariant($"| {candidates[c].Name} | {LayerStepRunner.Median(times[c]):F2} | {times[c].Min():F2} | {LayerStepRunner.Median(times[c]) / dense:F2} |"));
        }
        return 0;
    }
}
