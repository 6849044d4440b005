using Microsoft.ML.Shira.Masks;

namespace Microsoft.ML.Shira.Adapters;

/// <summary>What an adapter was trained with and on.</summary>
public sealed record AdapterMetadata
{
    /// <summary>Mask strategy that chose the trainable entries.</summary>
    public MaskType MaskType { get; init; } = MaskType.Random;

    /// <summary>PEFT's <c>r</c>: <c>r·(in+out)</c> entries per layer; 0 when <see cref="Sparsity"/> set the budget.</summary>
    public int Rank { get; init; }

    /// <summary>Fraction of each target matrix that is trainable; 0 when <see cref="Rank"/> set the budget.</summary>
    public double Sparsity { get; init; }

    /// <summary>Seed of the mask (Random, Struct tie-breaks).</summary>
    public int Seed { get; init; }

    /// <summary>Target module names or patterns the adapter was injected into.</summary>
    public IReadOnlyList<string> TargetModules { get; init; } = Array.Empty<string>();

    /// <summary>Name or path of the base model (PEFT's <c>base_model_name_or_path</c>).</summary>
    public string? BaseModelName { get; init; }

    /// <summary>SHA-256 (hex) of the base weights of the adapted layers, see <see cref="BaseModelFingerprint"/>.</summary>
    public string? BaseModelFingerprint { get; init; }

    /// <summary>
    /// Element type of the base weights <see cref="BaseModelFingerprint"/> covers (<c>F32</c>, <c>BF16</c>, <c>F16</c>):
    /// an adapter trained on a bfloat16 base is checked against a float32 base by rounding its weights to bfloat16 first.
    /// Null when unknown (files written before it was recorded): the fingerprint is then checked in the model's own type.
    /// </summary>
    public string? BaseModelDType { get; init; }

    /// <summary>PEFT task type, e.g. <c>SEQ_CLS</c> or <c>CAUSAL_LM</c>.</summary>
    public string? TaskType { get; init; }

    /// <summary>Element type the values were trained in (<c>F32</c>, <c>F16</c>, <c>BF16</c>).</summary>
    public string DType { get; init; } = "F32";

    /// <summary>Version of Microsoft.ML.Shira that wrote the adapter.</summary>
    public string LibraryVersion { get; init; } = ShiraInfo.Version;
}
