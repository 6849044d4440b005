/// <summary>Chart titles and what one operation is, per benchmark class of this project.</summary>
public static class ChartDescriptions
{
    private static readonly Dictionary<string, (string Title, string Operation)> Known = new()
    {
        ["SwitchBenchmarks"] = ("Switching one weight matrix: SHiRA 1% vs LoRA, same parameter count", "per switch in and out"),
        ["ModelSwitchBenchmarks"] = ("Switching a whole MiniLM adapter (36 matrices)", "per switch in and out"),
        ["InferenceLatencyBenchmarks"] = ("MiniLM inference latency, sequence 64", "per batch"),
        ["TrainingStepBenchmarks"] = ("MiniLM training step, batch 32 × sequence 64", "per step"),
        ["GenerationBenchmarks"] = ("stories260K greedy generation, 128 new tokens", "per token"),
        ["EncoderBenchmarks"] = ("MiniLM encoder, batch 32 × sequence 64, no grad", "per sentence"),
    };

    /// <summary>The title, and the operation the times are per (BenchmarkDotNet divides by OperationsPerInvoke).</summary>
    public static (string Title, string Operation) For(string className) =>
        Known.TryGetValue(className, out var known) ? known : (className, "per operation");
}
