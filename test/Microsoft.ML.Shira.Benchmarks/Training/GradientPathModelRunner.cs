using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.Shira.Adapters.Injection;
using Microsoft.ML.Shira.Adapters.Layers;
using Microsoft.ML.Shira.Masks;
using Microsoft.ML.Shira.Models.Llama;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// <c>--gradient-path-model [rounds] [device]</c>: whole training steps (forward, float32 cross-entropy, backward, AdamW) of a
/// 2-layer LLaMA at half TinyLlama's width (hidden 1024, MLP 2816, 16 query / 4 key-value heads, vocabulary 8192,
/// random weights), SHiRA r = 16 on q/k/v/o/gate/up/down (the adapted shares of TinyLlama at r = 32), batch 2 × 128
/// tokens, in float32 and bfloat16 on the CPU (or <c>device</c>, e.g. <c>cuda</c>), with the gradient path forced
/// sparse, forced dense, and Auto; interleaved per round. Prints median ms per step (on CUDA each step is synchronized).
/// </summary>
public static class GradientPathModelRunner
{
    /// <summary>Runs the rounds and prints one table.</summary>
    public static int Run(string[] args)
    {
        int rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 7;
        var device = args.Length > 2 ? torch.device(args[2]) : CPU;
        int threads = BenchmarkThreads.Apply();
        Console.Write($"{device.type}: ");
        Console.WriteLine($"2-layer LLaMA (hidden 1024, MLP 2816, vocab 8192), SHiRA r = 16 on 7 projections, batch 2 × 128 tokens, AdamW, {rounds} rounds (median), torch threads {threads}");
        Console.WriteLine("| dtype | path | median step ms | min ms | Auto's choice |");
        Console.WriteLine("| --- | --- | ---: | ---: | --- |");
        foreach (var dtype in new[] { ScalarType.Float32, ScalarType.BFloat16 })
        {
            var paths = new[] { ShiraGradientPath.Sparse, ShiraGradientPath.Dense, ShiraGradientPath.Auto };
            var setups = paths.Select(p => new Setup(dtype, p, device)).ToArray();
            var times = paths.Select(_ => new List<double>()).ToArray();
            for (int round = -2; round < rounds; round++)
            {
                for (int j = 0; j < setups.Length; j++)
                {
                    int c = (Math.Max(round, 0) + j) % setups.Length;
                    var clock = Stopwatch.StartNew();
                    setups[c].Step();
                    if (round >= 0)
                        times[c].Add(clock.Elapsed.TotalMilliseconds);
                }
            }
            for (int c = 0; c < setups.Length; c++)
            {
                Console.WriteLine(FormattableString.Invariant(
                    $"| {GradientPathRunner.Name(dtype)} | {paths[c]} | {LayerStepRunner.Median(times[c]):F1} | {times[c].Min():F1} | {(paths[c] == ShiraGradientPath.Auto ? setups[c].Injection.DescribeGradientPaths() : "")} |"));
                setups[c].Dispose();
            }
        }
        return 0;
    }

    private sealed class Setup : IDisposable
    {
        private readonly LlamaForCausalLM _model;
        private readonly Tensor _ids;
        private readonly TorchSharp.Modules.AdamW _optimizer;

        private readonly Device _device;

        public Setup(ScalarType dtype, ShiraGradientPath path, Device device)
        {
            _device = device;
            manual_seed(0);
            _model = new LlamaForCausalLM(new LlamaConfig
            {
                VocabSize = 8192, HiddenSize = 1024, IntermediateSize = 2816, NumHiddenLayers = 2, NumAttentionHeads = 16, NumKeyValueHeads = 4,
            }, dtype, device);
            Injection = ShiraInjector.Inject(_model, new ShiraInjectionOptions
            {
                TargetModules = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
                Budget = ShiraBudget.FromRank(16),
                GradientPath = path,
                FreeInputAfterBackward = true,
            }, new RandomMask(0));
            _ids = randint(0, 8192, new long[] { 2, 129 }).to(device);
            _optimizer = optim.AdamW(Injection.Parameters(), 1e-4, weight_decay: 0);
            _model.train();
        }

        public ShiraInjection Injection { get; }

        public void Step()
        {
            using var scope = NewDisposeScope();
            _optimizer.zero_grad();
            var logits = _model.Forward(_ids.narrow(1, 0, 128));
            var loss = nn.functional.cross_entropy(logits.reshape(-1, 8192).to(ScalarType.Float32), _ids.narrow(1, 1, 128).reshape(-1));
            loss.backward();
            _optimizer.step();
            if (_device.type == DeviceType.CUDA)
                cuda.synchronize(_device);
        }

        public void Dispose()
        {
            _optimizer.Dispose();
            _model.Dispose();
        }
    }
}
