using System.Text.Json.Serialization;

namespace Microsoft.ML.Shira.Checkpoints.Peft;

/// <summary>The <c>adapter_config.json</c> of a Hugging Face PEFT SHiRA adapter (<c>peft_type: "SHIRA"</c>).</summary>
public sealed class PeftAdapterConfig
{
    /// <summary>Always <c>SHIRA</c>.</summary>
    [JsonPropertyName("peft_type")] public string PeftType { get; set; } = "SHIRA";

    /// <summary>PEFT's r: <c>r·(in+out)</c> values per layer. Python PEFT can load an adapter only if every layer has exactly that count.</summary>
    [JsonPropertyName("r")] public int R { get; set; }

    /// <summary>Mask that chose the indices (<c>random</c>, <c>struct</c>, <c>weight_magnitude</c>, <c>gradient</c>, <c>snip</c>).</summary>
    [JsonPropertyName("mask_type")] public string MaskType { get; set; } = "random";

    /// <summary>Seed of the random mask.</summary>
    [JsonPropertyName("random_seed")] public int? RandomSeed { get; set; }

    /// <summary>Target module names.</summary>
    [JsonPropertyName("target_modules")] public List<string>? TargetModules { get; set; }

    /// <summary>
    /// True when the adapted layers store their weight as <c>[in, out]</c> (GPT-2's <c>Conv1D</c>); the indices are then in
    /// that layout. False for <c>Linear</c> layers.
    /// </summary>
    [JsonPropertyName("fan_in_fan_out")] public bool FanInFanOut { get; set; }

    /// <summary>Whether values start at zero.</summary>
    [JsonPropertyName("init_weights")] public bool InitWeights { get; set; } = true;

    /// <summary>Fully trained extra modules (e.g. a classifier head), if any.</summary>
    [JsonPropertyName("modules_to_save")] public List<string>? ModulesToSave { get; set; }

    /// <summary>Base model name or path.</summary>
    [JsonPropertyName("base_model_name_or_path")] public string? BaseModelNameOrPath { get; set; }

    /// <summary>PEFT task type, e.g. <c>SEQ_CLS</c>, <c>CAUSAL_LM</c>.</summary>
    [JsonPropertyName("task_type")] public string? TaskType { get; set; }

    /// <summary>True for adapters saved for inference.</summary>
    [JsonPropertyName("inference_mode")] public bool InferenceMode { get; set; } = true;
}
