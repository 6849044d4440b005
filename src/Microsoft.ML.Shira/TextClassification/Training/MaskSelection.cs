using Microsoft.ML.Shira.Adapters.Injection;
using Microsoft.ML.Shira.Masks;
using Microsoft.ML.Shira.Models.Bert;
using Microsoft.ML.Shira.Training.Masks;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.TextClassification.Training;

/// <summary>
/// Creates the mask strategy of the options. Gradient and SNIP masks are calibrated on the first batches of the
/// first epoch with the freshly initialized head (encoder in eval mode, head frozen meanwhile). With
/// <see cref="ShiraTrainerOptionsBase.NonOverlappingWith"/>, the mask avoids those adapters' positions.
/// </summary>
internal static class MaskSelection
{
    /// <summary>The mask and, for calibrated masks, the score tensors it reads (dispose them after injection).</summary>
    public static (IMaskStrategy Mask, IReadOnlyDictionary<string, Tensor>? Scores) Create(
        ShiraTextClassificationOptions options, int seed, BertModel model, Linear head, IEnumerable<ExampleBatch> calibration, Device device, CancellationToken token)
    {
        var (mask, scores) = CreateInner(options, seed, model, head, calibration, device, token);
        return (ExcludingMask.Around(mask, options.NonOverlappingWith.ToList(), seed), scores);
    }

    private static (IMaskStrategy Mask, IReadOnlyDictionary<string, Tensor>? Scores) CreateInner(
        ShiraTextClassificationOptions options, int seed, BertModel model, Linear head, IEnumerable<ExampleBatch> calibration, Device device, CancellationToken token)
    {
        if (options.MaskType is not (MaskType.Gradient or MaskType.Snip))
            return (MaskFactory.Create(options.MaskType, seed), null);

        var matcher = new TargetModuleMatcher(options.TargetModules, options.TargetModulesPattern);
        var targets = CalibrationTargets.Find(model, matcher, options.BaseModel.Id, nameof(options.TargetModules));

        var headParameters = head.parameters().ToList();
        headParameters.ForEach(p => p.requires_grad = false);
        model.eval();
        try
        {
            var scores = new MaskCalibration { MaxBatches = options.CalibrationBatches }.ComputeScores(
                options.MaskType, model, targets, calibration, batch =>
                {
                    token.ThrowIfCancellationRequested();
                    return ClassifierForward.Run(model, head, batch, device).Loss;
                });
            return (MaskFactory.Create(options.MaskType, seed, scores), scores);
        }
        finally
        {
            headParameters.ForEach(p => p.requires_grad = true);
        }
    }
}
