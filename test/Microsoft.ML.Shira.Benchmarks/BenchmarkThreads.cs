using static TorchSharp.torch;

/// <summary>
/// One intra-op thread count for the training benchmarks: <c>SHIRA_BENCH_THREADS</c>, default 1. On the shared 2-core
/// reference machine, 2 threads made every method 2–4× slower and far noisier (OpenMP workers spin-waiting on cores
/// that other processes hold), so the reported numbers use 1; set the variable to compare.
/// </summary>
public static class BenchmarkThreads
{
    /// <summary>The environment variable that overrides the thread count.</summary>
    public const string Variable = "SHIRA_BENCH_THREADS";

    /// <summary>Calls <c>torch.set_num_threads</c> and returns the count used.</summary>
    public static int Apply()
    {
        int threads = int.TryParse(Environment.GetEnvironmentVariable(Variable), out int n) && n > 0 ? n : 1;
        set_num_threads(threads);
        return threads;
    }
}
