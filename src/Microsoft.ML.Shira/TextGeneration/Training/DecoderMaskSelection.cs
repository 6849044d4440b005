using Microsoft.ML.Shira.Adapters.Injection;
using Microsoft.ML.Shira.Masks;
using Microsoft.ML.Shira.Models;
using Microsoft.ML.Shira.Training.Masks;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.TextGeneration.Training;

/// <summary>
/// Creates the mask strategy of the options. Gradient and SNIP masks are calibrated with the language-model loss on
/// the first batches of the first epoch. With <see cref="ShiraTrainerOptionsBase.NonOverlappingWith"/>, the mask avoids
/// those adapters' positions.
/// </summary>
internal static class DecoderMaskSelection
{
    /// <summary>The mask and, for calibrated masks, the score tensors it reads (dispose them after injection).</summary>
    public static (IMaskStrategy Mask, IReadOnlyDictionary<string, Tensor>? Scores) Create(
        ShiraTextGenerationOptions options, int seed, ICausalLanguageModel model, IEnumerable<SequenceBatch> calibration, Device device, CancellationToken token)
    {
        var (mask, scores) = CreateInner(options, seed, model, calibration, device, token);
        return (ExcludingMask.Around(mask, options.NonOverlappingWith.ToList(), seed), scores);
    }

    private static (IMaskStrategy Mask, IReadOnlyDictionary<string, Tensor>? Scores) CreateInner(
        ShiraTextGenerationOptions options, int seed, ICausalLanguageModel model, IEnumerable<SequenceBatch> calibration, Device device, CancellationToken token)
    {
        if (options.MaskType is not (MaskType.Gradient or MaskType.Snip))
            return (MaskFactory.Create(options.MaskType, seed), null);

        var module = model.Module;
        var matcher = new TargetModuleMatcher(options.TargetModules, options.TargetModulesPattern);
        var targets = CalibrationTargets.Find(module, matcher, options.BaseModel.Id, nameof(options.TargetModules));

        module.eval();
        var scores = new MaskCalibration { MaxBatches = options.CalibrationBatches }.ComputeScores(
            options.MaskType, module, targets, calibration, batch =>
            {
                token.ThrowIfCancellationRequested();
                return CausalLMLoss.Mean(model, batch, device);
            });
        return (MaskFactory.Create(options.MaskType, seed, scores), scores);
    }
}
