namespace Microsoft.ML.Shira.GpuChecks.Bench;

/// <summary>
/// What the benchmark runs: the anchor shape on a GPU, or <c>--small</c> for a CPU smoke run; <c>--memory-only</c> runs
/// only the train-step configurations (the memory pass of build/gpu-bundle/run.sh, under libtorch's
/// <c>backend:cudaMallocAsync</c> allocator), without switching and generation.
/// </summary>
public sealed record BenchOptions(string Device, bool Small, int? Steps, bool MemoryOnly = false);

/// <summary>The model, batch and adapter of a benchmark run.</summary>
/// <param name="Name">How the shape is reported.</param>
public sealed record BenchShape(string Name, long Vocabulary, long Hidden, long Intermediate, int Layers, long Heads, long KeyValueHeads,
    int Batch, int Sequence, int Rank, int TrainSteps, int SwitchRepeats, int PromptTokens, int NewTokens)
{
    /// <summary>
    /// The anchor: TinyLlama-1.1B-shaped LLaMA (22 layers, hidden 2048, MLP 5632, 32 query / 4 key-value heads,
    /// vocabulary 32000), random weights, bf16, batch 4 × 512, r = 32 on q/k/v/o/gate/up/down (154 matrices).
    /// </summary>
    public static BenchShape Anchor { get; } = new("TinyLlama-1.1B shape", 32000, 2048, 5632, 22, 32, 4, 4, 512, 32, 10, 100, 32, 128);

    /// <summary>A 2-layer model small enough for a CPU smoke run (not a result).</summary>
    public static BenchShape Small { get; } = new("small (CPU smoke)", 1000, 128, 352, 2, 4, 2, 2, 64, 4, 3, 10, 8, 16);
}
