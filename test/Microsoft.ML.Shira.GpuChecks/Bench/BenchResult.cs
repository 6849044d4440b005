using System.Text.Json;
using System.Text.Json.Serialization;

namespace Microsoft.ML.Shira.GpuChecks.Bench;

/// <summary>Measured figures of one .NET benchmark run (written as shira_bench.json; read by benchmarks/peers/gpu_table.py).</summary>
public sealed class BenchResult
{
    public string Implementation { get; init; } = "Microsoft.ML.Shira";
    public required string Device { get; init; }
    public required string Shape { get; init; }
    [JsonPropertyName("dtype")]
    public required string DType { get; init; }
    public required int Batch { get; init; }
    public required int Sequence { get; init; }
    public required int Rank { get; init; }
    public required long TrainableValues { get; init; }
    [JsonPropertyName("values_dtype")]
    public required string ValuesDType { get; init; }
    public required string DefaultGradientPath { get; init; }
    /// <summary>Mean train step (forward, backward, AdamW) by gradient path: "default", "Sparse", "Dense".</summary>
    public Dictionary<string, double> TrainStepMs { get; } = [];
    /// <summary>The loss at the first and last timed step of the default path.</summary>
    public double[] Loss { get; set; } = [];
    /// <summary>
    /// Peak of the whole device's used memory (total − free from the CUDA driver, sampled after every step): the CUDA
    /// context plus the caching allocator's reserve, as nvidia-smi counts it. TorchSharp 0.107 does not expose the caching
    /// allocator's own statistics (max_memory_allocated). Null on the CPU.
    /// </summary>
    [JsonPropertyName("device_used_peak_gib")]
    public double? DeviceUsedPeakGiB { get; set; }
    [JsonPropertyName("device_used_before_model_gib")]
    public double? DeviceUsedBeforeModelGiB { get; set; }
    public int SwitchMatrices { get; set; }
    public long SwitchEntries { get; set; }
    /// <summary>Mean whole-model apply + restore: "per_layer", "consolidated".</summary>
    public Dictionary<string, double> SwitchMs { get; } = [];
    public bool SwitchRestoreBitExact { get; set; }
    /// <summary>Greedy decoding with the KV cache, new tokens per second by batch size.</summary>
    public Dictionary<string, double> GenerateTokensPerSecond { get; } = [];
    public int PromptTokens { get; set; }
    public int NewTokens { get; set; }

    public string ToJson() => JsonSerializer.Serialize(this, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower });
}
