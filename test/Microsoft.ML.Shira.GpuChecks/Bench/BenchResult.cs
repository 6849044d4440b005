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
    /// <summary>True for the memory pass (<c>--memory-only</c>): train steps only, timings not comparable.</summary>
    public bool MemoryOnly { get; init; }
    /// <summary>Mean train step (forward, backward, AdamW) by gradient path: "default", "Sparse", "Dense".</summary>
    public Dictionary<string, double> TrainStepMs { get; } = [];
    /// <summary>The loss at the first and last timed step of the default path.</summary>
    public double[] Loss { get; set; } = [];
    /// <summary>
    /// Peak of the whole device's used memory (total − free from the CUDA driver, sampled after every step): the CUDA
    /// context plus the caching allocator's reserve, as nvidia-smi counts it. TorchSharp 0.107 does not expose the caching
    /// allocator's own statistics (max_memory_allocated; see <see cref="PeakAllocatedGiB"/> for the pool-based figure). Null on
    /// the CPU.
    /// </summary>
    [JsonPropertyName("device_used_peak_gib")]
    public double? DeviceUsedPeakGiB { get; set; }
    [JsonPropertyName("device_used_before_model_gib")]
    public double? DeviceUsedBeforeModelGiB { get; set; }
    /// <summary>
    /// libtorch's CUDA allocator as its environment variables select it (<c>CudaAllocatorBackend</c>) and why:
    /// "cudaMallocAsync", "Native" or "Unknown". Null on the CPU.
    /// </summary>
    public string? AllocatorBackend { get; set; }
    /// <summary>
    /// Peak bytes allocated by PyTorch tensors per train-step configuration ("default", "Sparse", "Dense"), in GiB: the
    /// used-memory high-water mark of the device's default memory pool over the timed steps (reset after the warm-up, as
    /// peft_bench.py resets max_memory_allocated), which is what PyTorch's max_memory_allocated returns under
    /// <c>backend:cudaMallocAsync</c>. Filled only under that backend and when the pool holds at least the model's
    /// parameters (so the figure really is the tensors'); empty otherwise.
    /// </summary>
    [JsonPropertyName("peak_allocated_gib")]
    public Dictionary<string, double> PeakAllocatedGiB { get; } = [];
    /// <summary>The same pool's reserved-memory high-water mark per configuration (PyTorch's max_memory_reserved there).</summary>
    [JsonPropertyName("peak_reserved_gib")]
    public Dictionary<string, double> PeakReservedGiB { get; } = [];
    /// <summary>Why <see cref="PeakAllocatedGiB"/> is empty, when it is.</summary>
    public string? PeakAllocatedNote { get; set; }
    public int SwitchMatrices { get; set; }
    public long SwitchEntries { get; set; }
    /// <summary>Mean whole-model apply + restore: "per_layer", "consolidated".</summary>
    public Dictionary<string, double> SwitchMs { get; } = [];
    public bool SwitchRestoreBitExact { get; set; }
    /// <summary>
    /// Apply + restore of the same entries by a bare kernel on one flat copy of the adapted weights (not the library's
    /// switch): "scatter_int64", "index_put_int64", "index_put_int32"; see <see cref="SwitchKernels"/>.
    /// </summary>
    public Dictionary<string, double> SwitchKernelsMs { get; set; } = [];
    public bool SwitchKernelsBitExact { get; set; }
    /// <summary>Greedy decoding with the KV cache, new tokens per second by batch size.</summary>
    public Dictionary<string, double> GenerateTokensPerSecond { get; } = [];
    public int PromptTokens { get; set; }
    public int NewTokens { get; set; }

    public string ToJson() => JsonSerializer.Serialize(this, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower });
}
