using Microsoft.ML.Shira.Adapters.Injection;
using Microsoft.ML.Shira.Masks;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Training.Methods;

/// <summary>Prepares a pretrained model for a <see cref="FineTuningMethod"/>: injects or unfreezes what the method trains.</summary>
internal static class FineTuningFactory
{
    /// <summary>
    /// The prepared method. SHiRA comes from <paramref name="createShira"/>, because choosing its mask (and calibrating
    /// Gradient/SNIP masks) depends on the task's loss.
    /// </summary>
    public static IFineTuning Create(
        FineTuningMethod method, nn.Module model, TargetModuleMatcher targets, ShiraBudget budget, int seed, Func<IFineTuning> createShira) =>
        method switch
        {
            FineTuningMethod.Shira => createShira(),
            FineTuningMethod.Lora => new LoraFineTuning(model, targets, budget, seed),
            FineTuningMethod.FullFineTuning => new FullFineTuning(model),
            FineTuningMethod.HeadOnly => new HeadOnlyFineTuning(model),
            _ => throw new ArgumentOutOfRangeException(nameof(method), method, "Unknown fine-tuning method."),
        };

    /// <summary>Injects SHiRA with <paramref name="mask"/>, then releases the mask's calibration scores (if any).</summary>
    public static ShiraFineTuning InjectShira(
        nn.Module model, IList<string> targetModules, string? targetModulesPattern, ShiraBudget budget,
        IMaskStrategy mask, IReadOnlyDictionary<string, Tensor>? scores)
    {
        try
        {
            return new ShiraFineTuning(ShiraInjector.Inject(model, new ShiraInjectionOptions
            {
                TargetModules = targetModules.ToList(),
                TargetModulesPattern = targetModulesPattern,
                Budget = budget,
                // The trainers backpropagate each step's graph once, so the layers may free their inputs early.
                FreeInputAfterBackward = true,
            }, mask));
        }
        finally
        {
            foreach (var score in scores?.Values ?? [])
                score.Dispose();
        }
    }
}
