using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.Shira.Adapters.Injection;
using Microsoft.ML.Shira.Adapters.Layers;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// <c>--dense-memory [rounds] [device]</c>: SHiRA's dense gradient path recorded two ways, side by side: by plain autograd
/// (which keeps every layer's <c>W_eff</c> from the forward until its backward) and through the SHiRA function, which
/// keeps only the input and rebuilds <c>W_eff</c> in the backward (the default off the CPU). A stack of bfloat16 Linear
/// layers with SHiRA 1% each, forward + float32 MSE + backward, each in a fresh process; median step time and, on the
/// CPU, how much the first step grew the resident set's high-water mark (what the step kept alive at its peak).
/// </summary>
public static class DenseMemoryRunner
{
    private const long Width = 2048;
    private const int Layers = 8;
    private const long Tokens = 512;

    /// <summary>Parent: one fresh process per variant (so no variant reuses memory another one touched); prints one table.</summary>
    public static int Run(string[] args)
    {
        int rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 7;
        string device = args.Length > 2 ? args[2] : "cpu";
        string self = typeof(DenseMemoryRunner).Assembly.Location;
        Console.WriteLine($"{Layers} bfloat16 Linear {Width}×{Width} layers on {device}, SHiRA 1% each, dense gradient path, {Tokens} tokens, forward + float32 MSE + backward, " +
            $"{rounds} rounds (median), fresh process each, {BenchmarkThreads.Variable}={Environment.GetEnvironmentVariable(BenchmarkThreads.Variable) ?? "(default 1)"}");
        Console.WriteLine($"W_eff of one layer: {Width * Width * 2 / (1024.0 * 1024):F0} MiB; of all: {Layers * Width * Width * 2 / (1024.0 * 1024):F0} MiB");
        Console.WriteLine("| recorded by | median step ms | first step's peak growth MiB |");
        Console.WriteLine("| --- | ---: | ---: |");
        foreach (var (name, keepsOnlyInput) in new[] { ("autograd (keeps W_eff)", false), ("SHiRA function (keeps the input)", true) })
        {
            var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
            // A fixed mmap threshold: every large tensor is its own mapping, returned to the system when freed, so the
            // resident set follows the live tensors (glibc's default threshold rises after the first free of a large
            // block, and freed blocks below it stay resident in the heap).
            start.Environment["MALLOC_MMAP_THRESHOLD_"] = "131072";
            if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
                start.ArgumentList.Add(self);
            foreach (string argument in new[] { "--dense-memory-child", keepsOnlyInput.ToString(), rounds.ToString(CultureInfo.InvariantCulture), device })
                start.ArgumentList.Add(argument);
            using var child = Process.Start(start)!;
            string output = child.StandardOutput.ReadToEnd();
            child.WaitForExit();
            var line = output.Split('\n').FirstOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal));
            if (child.ExitCode != 0 || line is null)
            {
                Console.WriteLine($"| {name} | failed (exit {child.ExitCode}) | |");
                Console.Error.WriteLine(output);
                continue;
            }
            var f = line.Split(' ');
            Console.WriteLine($"| {name} | {f[2]} | {f[1]} |");
        }
        return 0;
    }

    /// <summary>Child: one variant; prints <c>RESULT growthMiB medianMs</c> (growth "n/a" off the CPU).</summary>
    public static int RunChild(string[] args)
    {
        bool keepsOnlyInput = bool.Parse(args[1]);
        int rounds = int.Parse(args[2], CultureInfo.InvariantCulture);
        var device = torch.device(args[3]);
        bool cpu = device.type == DeviceType.CPU;
        BenchmarkThreads.Apply();
        var setup = new Setup(keepsOnlyInput, device);
        long before = PeakMemoryRunner.ResetPeak();
        setup.Step();
        string growth = cpu ? ((PeakMemoryRunner.Status("VmHWM") - before) / 1024.0).ToString("F0", CultureInfo.InvariantCulture) : "n/a";
        var times = new List<double>();
        for (int round = 0; round < rounds; round++)
        {
            var clock = Stopwatch.StartNew();
            setup.Step();
            if (!cpu)
                cuda.synchronize();
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
        Console.WriteLine(FormattableString.Invariant($"RESULT {growth} {LayerStepRunner.Median(times):F1}"));
        return 0;
    }

    private sealed class Setup
    {
        private readonly nn.Module<Tensor, Tensor> _model;
        private readonly Tensor _x;
        private readonly Tensor _target;

        public Setup(bool keepsOnlyInput, Device device)
        {
            ShiraInjection injection;
            (_model, injection) = ShiraLinearStack.Create(Width, Layers, device, options => options.GradientPath = ShiraGradientPath.Dense);
            foreach (var layer in injection.Layers)
                layer.Layer.DenseKeepsOnlyInput = keepsOnlyInput;
            _x = randn(Tokens, Width, device: device).to(ScalarType.BFloat16);
            _target = randn(Tokens, Width, device: device);
        }

        public void Step()
        {
            using var scope = NewDisposeScope();
            var y = _model.call(_x);
            nn.functional.mse_loss(y.to(ScalarType.Float32), _target).backward();
            foreach (var p in _model.parameters().Where(p => p.grad is not null))
                p.grad!.zero_();
        }
    }
}
