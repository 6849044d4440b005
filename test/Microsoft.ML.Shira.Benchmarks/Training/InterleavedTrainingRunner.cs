using System.Diagnostics;
using System.Globalization;

/// <summary>
/// <c>--interleaved [rounds]</c>: all methods in one process, one step of each per round in rotating order, so slow
/// phases of a shared machine hit every method alike. Prints the median ms/step of each method and its ratio to LoRA.
/// Complements BenchmarkDotNet's <see cref="TrainingStepBenchmarks"/>, which runs the methods one after another.
/// </summary>
public static class InterleavedTrainingRunner
{
    /// <summary>Runs the rounds and prints a table.</summary>
    public static int Run(string[] args)
    {
        int rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 15;
        int threads = BenchmarkThreads.Apply();
        var methods = Enum.GetValues<TrainingMethod>();
        var setups = methods.ToDictionary(m => m, m => TrainingStepSetup.Create(m));
        try
        {
            foreach (var (method, setup) in setups)
            {
                Console.WriteLine($"// {method}: {setup.Description}; trainable outside the head {setup.AdapterParameters:N0}");
                setup.Step(); // warm-up
                setup.Step();
            }
            var times = methods.ToDictionary(m => m, _ => new List<double>());
            for (int round = 0; round < rounds; round++)
            {
                for (int j = 0; j < methods.Length; j++)
                {
                    var method = methods[(round + j) % methods.Length];
                    var clock = Stopwatch.StartNew();
                    setups[method].Step();
                    times[method].Add(clock.Elapsed.TotalMilliseconds);
                }
            }
            double lora = Median(times[TrainingMethod.Lora]);
            Console.WriteLine($"Interleaved training steps: batch 32 × sequence 64, {rounds} rounds, torch threads {threads}");
            Console.WriteLine("| method | median ms/step | min | max | ratio to LoRA |");
            Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
            foreach (var method in methods)
            {
                var t = times[method];
                Console.WriteLine(FormattableString.Invariant($"| {method} | {Median(t):F0} | {t.Min():F0} | {t.Max():F0} | {Median(t) / lora:F2} |"));
            }
        }
        finally
        {
            foreach (var setup in setups.Values)
                setup.Dispose();
        }
        return 0;
    }

    private static double Median(List<double> values) => LayerStepRunner.Median(values);
}
