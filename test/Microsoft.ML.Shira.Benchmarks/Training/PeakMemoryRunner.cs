using System.Diagnostics;
using System.Globalization;

/// <summary>
/// Peak native memory of training, which BenchmarkDotNet's MemoryDiagnoser cannot see (TorchSharp allocates natively).
/// <c>--peak-memory [steps]</c> runs every <see cref="TrainingMethod"/> in a fresh child process
/// (<c>--peak-memory-child METHOD steps</c>). The child loads the model, prepares the method and runs one untimed step,
/// then resets the kernel's resident-set high-water mark (writes 5 to <c>/proc/self/clear_refs</c>), records VmRSS as
/// the baseline, runs the steps and reads VmHWM from <c>/proc/self/status</c>. Reported: baseline, peak, and
/// peak − baseline (what the steps themselves needed on top of the model, batch and optimizer state). A second
/// figure without the warm-up step (reset right after setup) includes the first step's one-time allocations
/// (optimizer state, allocator growth).
/// </summary>
public static class PeakMemoryRunner
{
    /// <summary>Parent: one child per method; prints a table.</summary>
    public static int RunAll(string[] args)
    {
        int steps = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
        string self = typeof(PeakMemoryRunner).Assembly.Location;
        Console.WriteLine($"Peak resident memory per method, {steps} steps, fresh process each, {BenchmarkThreads.Variable}={Environment.GetEnvironmentVariable(BenchmarkThreads.Variable) ?? "(default 1)"}");
        Console.WriteLine("| method | setup RSS (MiB) | peak − setup, incl. first step (MiB) | peak − RSS after warm-up step (MiB) | ms/step (mean) |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
        foreach (var method in Enum.GetValues<TrainingMethod>())
        {
            var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
            // Started through the app host, the program is the process itself; through 'dotnet', its assembly comes first.
            if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
                start.ArgumentList.Add(self);
            start.ArgumentList.Add("--peak-memory-child");
            start.ArgumentList.Add(method.ToString());
            start.ArgumentList.Add(steps.ToString(CultureInfo.InvariantCulture));
            using var child = Process.Start(start)!;
            string output = child.StandardOutput.ReadToEnd();
            child.WaitForExit();
            var line = output.Split('\n').FirstOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal));
            if (child.ExitCode != 0 || line is null)
            {
                Console.WriteLine($"| {method} | failed (exit {child.ExitCode}) | | | |");
                Console.Error.WriteLine(output);
                continue;
            }
            var f = line.Split(' ');
            Console.WriteLine($"| {method} | {Mib(f[1])} | {Mib(f[2])} | {Mib(f[3])} | {f[4]} |");
        }
        return 0;
    }

    /// <summary>Child: measures one method and prints <c>RESULT setupKiB coldDeltaKiB warmDeltaKiB msPerStep</c>.</summary>
    public static int RunOne(string[] args)
    {
        var method = Enum.Parse<TrainingMethod>(args[1]);
        int steps = int.Parse(args[2], CultureInfo.InvariantCulture);
        BenchmarkThreads.Apply();
        using var setup = TrainingStepSetup.Create(method);

        // Cold: from right after setup, including the first step (optimizer state, allocator growth).
        long setupRss = ResetPeak();
        setup.Step();
        long coldPeak = Status("VmHWM");

        // Warm: from after the first step, the steady state of further steps.
        long warmBase = ResetPeak();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++)
            setup.Step();
        double msPerStep = clock.Elapsed.TotalMilliseconds / steps;
        long warmPeak = Status("VmHWM");
        coldPeak = Math.Max(coldPeak, warmPeak);
        Console.WriteLine(FormattableString.Invariant($"RESULT {setupRss} {coldPeak - setupRss} {warmPeak - warmBase} {msPerStep:F0}"));
        return 0;
    }

    internal static long ResetPeak()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        File.WriteAllText("/proc/self/clear_refs", "5");
        return Status("VmRSS");
    }

    /// <summary>A <c>/proc/self/status</c> field in KiB.</summary>
    internal static long Status(string field)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
                return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        }
        throw new InvalidOperationException($"/proc/self/status has no {field}.");
    }

    private static string Mib(string kib) => (long.Parse(kib, CultureInfo.InvariantCulture) / 1024.0).ToString("F0", CultureInfo.InvariantCulture);
}
