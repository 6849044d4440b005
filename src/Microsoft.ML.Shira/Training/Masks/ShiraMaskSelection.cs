using Microsoft.ML.Shira.Adapters.Injection;
using Microsoft.ML.Shira.Masks;
using TorchSharp.Modules;

namespace Microsoft.ML.Shira.Training.Masks;

/// <summary>
/// Chooses the SHiRA mask of a training run from the options. Gradient and SNIP masks are calibrated with the task's
/// loss on the first batches of the first epoch, the model in eval mode and the task's extra parameters (a freshly
/// initialized head) frozen meanwhile. With <see cref="ShiraTrainerOptionsBase.NonOverlappingWith"/>, the mask avoids
/// those adapters' positions.
/// </summary>
internal static class ShiraMaskSelection
{
    /// <summary>The mask and, for calibrated masks, the score tensors it reads (dispose them after injection).</summary>
    /// <param name="options">Mask type, targets, calibration batches and adapters to avoid.</param>
    /// <param name="seed">Seed of the mask.</param>
    /// <param name="model">The model whose targeted Linear layers get the mask.</param>
    /// <param name="modelId">The base model's id, for messages.</param>
    /// <param name="calibration">Calibration batches (the first <see cref="ShiraTrainerOptionsBase.CalibrationBatches"/> are used).</param>
    /// <param name="loss">The task's loss of a batch.</param>
    /// <param name="frozenDuringCalibration">Parameters outside the model that the loss depends on.</param>
    public static (IMaskStrategy Mask, IReadOnlyDictionary<string, Tensor>? Scores) Create<TBatch>(
        ShiraTrainerOptionsBase options, int seed, nn.Module model, string modelId, IEnumerable<TBatch> calibration,
        Func<TBatch, Tensor> loss, IEnumerable<Parameter> frozenDuringCalibration)
    {
        var (mask, scores) = options.MaskType is MaskType.Gradient or MaskType.Snip
            ? Calibrate(options, seed, model, modelId, calibration, loss, frozenDuringCalibration.ToList())
            : (MaskFactory.Create(options.MaskType, seed), null);
        var exclude = options.NonOverlappingWith.SelectMany(a => a.Layers.Values).Select(l => (l.ModulePath, l.FlatIndices())).ToList();
        return (ExcludingMask.Around(mask, exclude, seed), scores);
    }

    private static (IMaskStrategy Mask, IReadOnlyDictionary<string, Tensor> Scores) Calibrate<TBatch>(
        ShiraTrainerOptionsBase options, int seed, nn.Module model, string modelId, IEnumerable<TBatch> calibration,
        Func<TBatch, Tensor> loss, List<Parameter> frozen)
    {
        var token = options.CancellationToken;
        var matcher = new TargetModuleMatcher(options.TargetModules, options.TargetModulesPattern, options.ExcludedModules);
        var targets = CalibrationTargets.Find(model, matcher, modelId, nameof(options.TargetModules));
        frozen.ForEach(p => p.requires_grad = false);
        model.eval();
        try
        {
            var scores = new MaskCalibration { MaxBatches = options.CalibrationBatches }.ComputeScores(
                options.MaskType, model, targets, calibration, batch =>
                {
                    token.ThrowIfCancellationRequested();
                    return loss(batch);
                });
            return (MaskFactory.Create(options.MaskType, seed, scores), scores);
        }
        finally
        {
            frozen.ForEach(p => p.requires_grad = true);
        }
    }
}
