using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.Shira.Models;
using Microsoft.ML.Shira.Runtime;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// <c>--attention [rounds] [device]</c>: causal self-attention of the issue-8 anchor's attention shape (32 heads of 64)
/// at several sequence lengths, forward + backward, side by side in one run: the explicit softmax the LLaMA family used
/// before (scores cast to float32, masked, softmax, cast back, both kept for the backward pass) against
/// <see cref="CausalAttention"/> (libtorch's <c>scaled_dot_product_attention</c> with <c>is_causal</c>). Interleaved
/// rounds, median step time; on the CPU also the growth of the resident set's high-water mark during one step
/// (VmHWM after the step − VmRSS before it), i.e. what the step kept alive at its peak.
/// </summary>
public static class AttentionRunner
{
    private const long Heads = 32;
    private const long HeadDim = 64;
    private const long Batch = 1;

    /// <summary>Runs the rounds and prints one table.</summary>
    public static int Run(string[] args)
    {
        int rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 7;
        var device = args.Length > 2 ? torch.device(args[2]) : CPU;
        int threads = BenchmarkThreads.Apply();
        bool cpu = device.type == DeviceType.CPU;
        Console.WriteLine($"{(cpu ? "" : device.type + ": ")}causal self-attention, batch {Batch}, {Heads} heads × {HeadDim}, forward + backward, {rounds} rounds (median), torch threads {threads}");
        Console.WriteLine("| dtype | tokens | explicit softmax ms | SDPA ms | SDPA / explicit | explicit peak growth MiB | SDPA peak growth MiB |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var dtype in new[] { ScalarType.Float32, ScalarType.BFloat16 })
        {
            foreach (long tokens in new long[] { 256, 512, 1024 })
            {
                var variants = new Func<Tensor, Tensor, Tensor, Tensor>[] { Explicit, Sdpa };
                var times = variants.Select(_ => new List<double>()).ToArray();
                var growth = new double[variants.Length];
                using var scope = NewDisposeScope();
                manual_seed(1);
                var q = randn(Batch, Heads, tokens, HeadDim, device: device).to(dtype);
                var k = randn(Batch, Heads, tokens, HeadDim, device: device).to(dtype);
                var v = randn(Batch, Heads, tokens, HeadDim, device: device).to(dtype);
                for (int round = -1; round < rounds; round++)
                {
                    for (int j = 0; j < variants.Length; j++)
                    {
                        int c = (Math.Max(round, 0) + j) % variants.Length;
                        if (round == 0 && cpu)
                        {
                            long before = PeakMemoryRunner.ResetPeak();
                            Step(variants[c], q, k, v);
                            growth[c] = (PeakMemoryRunner.Status("VmHWM") - before) / 1024.0;
                            continue;
                        }
                        var clock = Stopwatch.StartNew();
                        Step(variants[c], q, k, v);
                        if (!cpu)
                            cuda.synchronize();
                        if (round > 0)
                            times[c].Add(clock.Elapsed.TotalMilliseconds);
                    }
                }
                double explicitMs = LayerStepRunner.Median(times[0]), sdpaMs = LayerStepRunner.Median(times[1]);
                Console.WriteLine(FormattableString.Invariant(
                    $"| {dtype} | {tokens} | {explicitMs:F2} | {sdpaMs:F2} | {sdpaMs / explicitMs:F2} | {(cpu ? growth[0].ToString("F0", CultureInfo.InvariantCulture) : "n/a")} | {(cpu ? growth[1].ToString("F0", CultureInfo.InvariantCulture) : "n/a")} |"));
            }
        }
        return 0;
    }

    private static void Step(Func<Tensor, Tensor, Tensor, Tensor> attend, Tensor q, Tensor k, Tensor v)
    {
        using var scope = NewDisposeScope();
        var (query, key, value) = (q.detach().requires_grad_(), k.detach().requires_grad_(), v.detach().requires_grad_());
        attend(query, key, value).to(ScalarType.Float32).sum().backward();
    }

    /// <summary>The LLaMA family's attention before <see cref="CausalAttention"/>.</summary>
    private static Tensor Explicit(Tensor query, Tensor key, Tensor value)
    {
        long tokens = query.shape[2];
        var allowed = ones(tokens, tokens, dtype: ScalarType.Bool, device: query.device).tril().unsqueeze(0).unsqueeze(0);
        var scores = matmul(query, key.transpose(2, 3)).Times(1.0 / Math.Sqrt(HeadDim)).to(ScalarType.Float32);
        scores = TorchScalars.With(float.MinValue, lowest => scores.masked_fill(allowed.logical_not(), lowest));
        var probabilities = nn.functional.softmax(scores, -1).to(query.dtype);
        return matmul(probabilities, value);
    }

    private static Tensor Sdpa(Tensor query, Tensor key, Tensor value) =>
        CausalAttention.For(null, past: 0, length: query.shape[2], query.dtype, query.device).Attend(query, key, value, dropout: 0.0);
}
