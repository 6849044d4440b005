using Microsoft.ML.Shira.Masks;
using Microsoft.ML.Shira.TextClassification;

namespace Microsoft.ML.Shira.Evaluation.Methods;

/// <summary>One fine-tuning configuration of the comparison.</summary>
/// <param name="Id">Stable identifier used in flags and CSV (e.g. <c>shira-random</c>, <c>shira-wm@2%</c>).</param>
/// <param name="Method">The library's fine-tuning method.</param>
/// <param name="Mask">SHiRA mask (ignored by the baselines).</param>
/// <param name="Sparsity">SHiRA budget; LoRA's rank is matched to it.</param>
/// <param name="LearningRate">Peak learning rate of the encoder parameters.</param>
internal sealed record MethodSpec(string Id, FineTuningMethod Method, MaskType Mask, double Sparsity, double LearningRate)
{
    public bool IsShira => Method == FineTuningMethod.Shira;

    public string Display => Method switch
    {
        FineTuningMethod.HeadOnly => "Head only",
        FineTuningMethod.FullFineTuning => "Full FT",
        FineTuningMethod.Lora => $"LoRA ({Percent})",
        _ => $"SHiRA-{MaskNames.Short(Mask)} ({Percent})",
    };

    private string Percent => $"{Sparsity * 100:0.#}%";

    /// <summary>The same SHiRA mask at another budget.</summary>
    public MethodSpec AtSparsity(double sparsity) => this with { Id = $"{Id}@{sparsity * 100:0.#}%", Sparsity = sparsity };
}

/// <summary>Short mask names used in flags and reports.</summary>
internal static class MaskNames
{
    public static string Short(MaskType mask) => mask switch
    {
        MaskType.Struct => "struct",
        MaskType.Random => "random",
        MaskType.WeightMagnitude => "wm",
        MaskType.Gradient => "grad",
        MaskType.Snip => "snip",
        _ => mask.ToString().ToLowerInvariant(),
    };

    public static MaskType Parse(string name)
    {
        foreach (var mask in Enum.GetValues<MaskType>())
        {
            if (Short(mask) == name.ToLowerInvariant())
                return mask;
        }
        throw new ArgumentException($"Unknown mask '{name}'; choose from {string.Join(", ", Enum.GetValues<MaskType>().Select(Short))}.");
    }
}
