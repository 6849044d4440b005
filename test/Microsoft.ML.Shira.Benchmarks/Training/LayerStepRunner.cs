using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.Shira.Adapters.Layers;
using Microsoft.ML.Shira.Masks;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// <c>--layers [rounds]</c>: forward + backward of one adapted Linear at MiniLM's shapes and 2,048 tokens (32 × 64),
/// interleaved per round: SHiRA 1% sparse path with the effective-weight forward (the default), the sparse path with
/// the gathered-columns forward (experiment), the dense path, and LoRA at the same trainable count. The input requires
/// gradients, as it does inside a network. Prints median ms and the ratio to LoRA.
/// </summary>
public static class LayerStepRunner
{
    /// <summary>Runs the rounds and prints one table per shape.</summary>
    public static int Run(string[] args)
    {
        int rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 21;
        int threads = BenchmarkThreads.Apply();
        Console.WriteLine($"One adapted Linear, forward + backward, 2,048 tokens, {rounds} rounds, torch threads {threads}");
        foreach (var (outFeatures, inFeatures) in new[] { (384L, 384L), (1536L, 384L), (384L, 1536L) })
        {
            using var scope = NewDisposeScope();
            manual_seed(0);
            var linear = nn.Linear(inFeatures, outFeatures);
            long k = ShiraBudget.FromSparsity(0.01).EntriesFor(outFeatures, inFeatures);
            var indices = new RandomMask(0).SelectIndices("layer", linear.weight!, k);
            var values = randn(k) * 0.01;
            int rank = TrainingStepSetup.LoraRankFor(outFeatures, inFeatures);
            var candidates = new (string Name, nn.Module<Tensor, Tensor> Layer)[]
            {
                ("SHiRA sparse (W_eff forward)", new ShiraLinear(linear, indices, 1.0, values) { GradientPath = ShiraGradientPath.Sparse }),
                ("SHiRA sparse (gathered forward)", new ShiraLinear(linear, indices, 1.0, values) { GradientPath = ShiraGradientPath.Sparse, SparseForward = ShiraSparseForward.GatheredColumns }),
                ("SHiRA dense", new ShiraLinear(linear, indices, 1.0, values) { GradientPath = ShiraGradientPath.Dense }),
                ($"LoRA r={rank}", new LoraLinear(linear, rank, 2 * rank)),
            };
            var x = randn(32, 64, inFeatures).requires_grad_(true);
            var upstream = randn(32, 64, outFeatures);
            var times = candidates.Select(_ => new List<double>()).ToArray();
            for (int round = -2; round < rounds; round++)
            {
                for (int j = 0; j < candidates.Length; j++)
                {
                    int c = (Math.Max(round, 0) + j) % candidates.Length;
                    var clock = Stopwatch.StartNew();
                    using (var step = NewDisposeScope())
                    {
                        (candidates[c].Layer.call(x) * upstream).sum().backward();
                        x.grad!.zero_();
                    }
                    if (round >= 0)
                        times[c].Add(clock.Elapsed.TotalMilliseconds);
                }
            }
            double lora = Median(times[^1]);
            Console.WriteLine($"{outFeatures}x{inFeatures} (k = {k}, LoRA r = {rank}: {rank * (inFeatures + outFeatures)} parameters)");
            Console.WriteLine("| layer | median ms | min ms | ratio to LoRA |");
            Console.WriteLine("| --- | ---: | ---: | ---: |");
            for (int c = 0; c < candidates.Length; c++)
                Console.WriteLine(FormattableString.Invariant($"| {candidates[c].Name} | {Median(times[c]):F2} | {times[c].Min():F2} | {Median(times[c]) / lora:F2} |"));
        }
        return 0;
    }

    internal static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
