using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.Shira.Adapters.Injection;
using Microsoft.ML.Shira.Adapters.Layers;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// <c>--precision [rounds] [device]</c>: a training step (forward, backward, AdamW) of a stack of bfloat16 Linear layers with
/// SHiRA, float32 master values (the default) against values kept in bfloat16, interleaved per round on the CPU, with
/// the gradient path <see cref="ShiraGradientPath.Auto"/> picks. Prints the median step time, the bytes of the trained
/// state (values and gradients read from the tensors, plus AdamW's state as TorchSharp serializes it) and the share of values
/// that 20 AdamW steps at learning rate 1e-5 changed at all.
/// </summary>
public static class PrecisionRunner
{
    private const long Width = 1024;
    private const int Layers = 4;
    private const long Tokens = 1024;

    /// <summary>Runs the rounds and prints one table.</summary>
    public static int Run(string[] args)
    {
        int rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 11;
        var device = args.Length > 2 ? torch.device(args[2]) : CPU;
        int threads = BenchmarkThreads.Apply();
        if (device.type != DeviceType.CPU)
            Console.Write($"{device.type}: ");
        Console.WriteLine($"{Layers} bfloat16 Linear {Width}×{Width} layers, SHiRA 1% each, {Tokens} tokens, AdamW, {rounds} rounds (median), torch threads {threads}");
        var variants = new (string Name, ScalarType? ValueDType)[] { ("float32 master values (default)", null), ("bfloat16 values", ScalarType.BFloat16) };
        var setups = variants.Select(v => new Setup(v.ValueDType, device)).ToArray();
        var times = variants.Select(_ => new List<double>()).ToArray();
        for (int round = -2; round < rounds; round++)
        {
            for (int j = 0; j < setups.Length; j++)
            {
                int c = (Math.Max(round, 0) + j) % setups.Length;
                var clock = Stopwatch.StartNew();
                setups[c].Step(1e-3);
                if (round >= 0)
                    times[c].Add(clock.Elapsed.TotalMilliseconds);
            }
        }
        Console.WriteLine($"gradient path: {setups[0].Injection.DescribeGradientPaths()}");
        Console.WriteLine("| values | median step ms | min ms | trained state bytes | values changed by 20 steps at lr 1e-5 |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
        for (int c = 0; c < setups.Length; c++)
        {
            long stateBytes = setups[c].StateBytes();
            double changed = setups[c].ShareChangedBySmallSteps(20, 1e-5);
            Console.WriteLine(FormattableString.Invariant(
                $"| {variants[c].Name} | {LayerStepRunner.Median(times[c]):F2} | {times[c].Min():F2} | {stateBytes:N0} | {changed:P1} |"));
        }
        return 0;
    }

    private sealed class Setup
    {
        private readonly nn.Module<Tensor, Tensor> _model;
        private readonly Tensor _x;
        private readonly Tensor _target;
        private readonly TorchSharp.Modules.AdamW _optimizer;

        private readonly Device _device;

        public Setup(ScalarType? valueDType, Device device)
        {
            _device = device;
            (_model, Injection) = ShiraLinearStack.Create(Width, Layers, device, options => options.ValueDType = valueDType);
            using (no_grad())
            {
                foreach (var p in Injection.Parameters())
                    p.copy_(randn(p.shape).to(p.device) * 0.5);
            }
            _x = randn(Tokens, Width).to(ScalarType.BFloat16, device);
            _target = randn(Tokens, Width).to(device);
            _optimizer = optim.AdamW(Injection.Parameters(), 1e-3);
        }

        public ShiraInjection Injection { get; }

        public void Step(double learningRate)
        {
            using var scope = NewDisposeScope();
            foreach (var group in _optimizer.ParamGroups)
                group.LearningRate = learningRate;
            _optimizer.zero_grad();
            var loss = nn.functional.mse_loss(_model.call(_x).to(ScalarType.Float32), _target);
            loss.backward();
            _optimizer.step();
            if (_device.type == DeviceType.CUDA)
                cuda.synchronize(_device);
        }

        /// <summary>Bytes of the values, their gradients and the optimizer's state tensors.</summary>
        public long StateBytes()
        {
            long bytes = 0;
            foreach (var p in Injection.Parameters())
                bytes += p.numel() * p.element_size() + (p.grad is { } g ? g.numel() * g.element_size() : 0);
            // AdamW's two moments per value, as TorchSharp serializes them (a few bytes of header besides).
            using var stream = new MemoryStream();
            using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
                _optimizer.save_state_dict(writer);
            bytes += stream.Length;
            return bytes;
        }

        public double ShareChangedBySmallSteps(int steps, double learningRate)
        {
            using var scope = NewDisposeScope();
            var before = Injection.Parameters().Select(p => p.detach().clone()).ToList();
            for (int i = 0; i < steps; i++)
                Step(learningRate);
            long changed = 0, total = 0;
            foreach (var (p, b) in Injection.Parameters().Zip(before))
            {
                changed += p.detach().ne(b).sum().item<long>();
                total += p.numel();
            }
            return (double)changed / total;
        }
    }
}
