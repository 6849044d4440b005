using Microsoft.ML.Shira.Adapters.Injection;
using Microsoft.ML.Shira.Models.Bert;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.TextClassification.Training.Methods;

/// <summary>Prepares the encoder for the options' <see cref="FineTuningMethod"/>.</summary>
internal static class FineTuningFactory
{
    /// <summary>
    /// Injects or unfreezes what the method trains. SHiRA chooses its mask first (Gradient/SNIP calibrate on
    /// <paramref name="calibration"/> with the fresh head).
    /// </summary>
    public static IFineTuning Create(
        ShiraTextClassificationOptions options, int seed, BertModel model, Linear head, IEnumerable<ExampleBatch> calibration, Device device, CancellationToken token) =>
        options.Method switch
        {
            FineTuningMethod.Shira => CreateShira(options, seed, model, head, calibration, device, token),
            FineTuningMethod.Lora => new LoraFineTuning(model, new TargetModuleMatcher(options.TargetModules, options.TargetModulesPattern), options.Budget(), seed),
            FineTuningMethod.FullFineTuning => new FullFineTuning(model),
            FineTuningMethod.HeadOnly => new HeadOnlyFineTuning(model),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Method, "Unknown fine-tuning method."),
        };

    private static ShiraFineTuning CreateShira(
        ShiraTextClassificationOptions options, int seed, BertModel model, Linear head, IEnumerable<ExampleBatch> calibration, Device device, CancellationToken token)
    {
        var (mask, scores) = MaskSelection.Create(options, seed, model, head, calibration, device, token);
        try
        {
            return new ShiraFineTuning(ShiraInjector.Inject(model, new ShiraInjectionOptions
            {
                TargetModules = options.TargetModules.ToList(),
                TargetModulesPattern = options.TargetModulesPattern,
                Budget = options.Budget(),
            }, mask));
        }
        finally
        {
            foreach (var score in scores?.Values ?? [])
                score.Dispose();
        }
    }
}
