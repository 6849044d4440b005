using Microsoft.ML.Shira.Adapters.Injection;
using Microsoft.ML.Shira.Models.Bert;
using Microsoft.ML.Shira.Training.Methods;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.TextClassification.Training;

/// <summary>Prepares the encoder for the options' <see cref="FineTuningMethod"/>.</summary>
internal static class ClassifierFineTuning
{
    /// <summary>
    /// Injects or unfreezes what the method trains. SHiRA chooses its mask first (Gradient/SNIP calibrate on
    /// <paramref name="calibration"/> with the fresh head).
    /// </summary>
    public static IFineTuning Create(
        ShiraTextClassificationOptions options, int seed, BertModel model, Linear head, IEnumerable<ExampleBatch> calibration, Device device, CancellationToken token) =>
        FineTuningFactory.Create(options.Method, model, new TargetModuleMatcher(options.TargetModules, options.TargetModulesPattern), options.Budget(), seed, () =>
        {
            var (mask, scores) = MaskSelection.Create(options, seed, model, head, calibration, device, token);
            return FineTuningFactory.InjectShira(model, options.TargetModules, options.TargetModulesPattern, options.Budget(), mask, scores);
        });
}
