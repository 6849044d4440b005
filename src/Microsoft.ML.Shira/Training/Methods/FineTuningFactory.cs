using Microsoft.ML.Shira.Adapters.Injection;
using Microsoft.ML.Shira.Masks;

namespace Microsoft.ML.Shira.Training.Methods;

/// <summary>Prepares a pretrained model for a <see cref="FineTuningMethod"/>: injects or unfreezes what the method trains.</summary>
internal static class FineTuningFactory
{
    /// <summary>
    /// The prepared method. SHiRA's mask comes from <paramref name="chooseMask"/>, because choosing it (and calibrating
    /// Gradient/SNIP masks) depends on the task's loss; its calibration scores are released after injection.
    /// </summary>
    public static IFineTuning Create(
        ShiraTrainerOptionsBase options, int seed, nn.Module model, Func<(IMaskStrategy Mask, IReadOnlyDictionary<string, Tensor>? Scores)> chooseMask) =>
        options.Method switch
        {
            FineTuningMethod.Shira => InjectShira(model, options, chooseMask()),
            FineTuningMethod.Lora => new LoraFineTuning(model, new TargetModuleMatcher(options.TargetModules, options.TargetModulesPattern, options.ExcludedModules), options.Budget(), seed),
            FineTuningMethod.FullFineTuning => ModelWideFineTuning.Full(model),
            FineTuningMethod.HeadOnly => ModelWideFineTuning.HeadOnly(model),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Method, "Unknown fine-tuning method."),
        };

    private static ShiraFineTuning InjectShira(nn.Module model, ShiraTrainerOptionsBase options, (IMaskStrategy Mask, IReadOnlyDictionary<string, Tensor>? Scores) mask)
    {
        try
        {
            return new ShiraFineTuning(ShiraInjector.Inject(model, new ShiraInjectionOptions
            {
                TargetModules = options.TargetModules.ToList(),
                TargetModulesPattern = options.TargetModulesPattern,
                ExcludeModules = options.ExcludedModules.ToList(),
                Budget = options.Budget(),
                GradientPath = options.GradientPath,
                // The trainers backpropagate each step's graph once, so the layers may free their inputs early.
                FreeInputAfterBackward = true,
            }, mask.Mask));
        }
        finally
        {
            foreach (var score in mask.Scores?.Values ?? [])
                score.Dispose();
        }
    }
}
