using Microsoft.ML.Shira.Masks;
using Microsoft.ML.Shira.TextClassification;

namespace Microsoft.ML.Shira.Evaluation.Methods;

/// <summary>The methods the evaluation can run, with their learning rates.</summary>
/// <param name="ShiraLearningRate">SHiRA with data-free masks (struct, random, wm); the app's default 5e-3 was the library default of the first runs (now 1e-2).</param>
/// <param name="CalibratedShiraLearningRate">SHiRA with gradient/SNIP masks: 1e-3, as the library's options advise.</param>
/// <param name="LoraLearningRate">LoRA factors (α = 2r).</param>
/// <param name="FullLearningRate">Full fine-tuning.</param>
internal sealed record MethodCatalog(double ShiraLearningRate, double CalibratedShiraLearningRate, double LoraLearningRate, double FullLearningRate)
{
    public static readonly string[] AllIds = ["head", "full", "lora", "shira-struct", "shira-random", "shira-wm", "shira-grad", "shira-snip"];

    public MethodSpec Create(string id, double sparsity) => id switch
    {
        "head" => new MethodSpec(id, FineTuningMethod.HeadOnly, MaskType.Random, sparsity, ShiraLearningRate),
        "full" => new MethodSpec(id, FineTuningMethod.FullFineTuning, MaskType.Random, sparsity, FullLearningRate),
        "lora" => new MethodSpec(id, FineTuningMethod.Lora, MaskType.Random, sparsity, LoraLearningRate),
        _ when id.StartsWith("shira-", StringComparison.Ordinal) => Shira(MaskNames.Parse(id["shira-".Length..]), sparsity),
        _ => throw new ArgumentException($"Unknown method '{id}'; choose from {string.Join(", ", AllIds)}."),
    };

    public MethodSpec Shira(MaskType mask, double sparsity) =>
        new($"shira-{MaskNames.Short(mask)}", FineTuningMethod.Shira, mask, sparsity,
            mask is MaskType.Gradient or MaskType.Snip ? CalibratedShiraLearningRate : ShiraLearningRate);
}
