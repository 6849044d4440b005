using Microsoft.ML.Shira.Adapters;
using Microsoft.ML.Shira.Training.Checkpoints;
using Microsoft.ML.Shira.Training.Masks;
using Microsoft.ML.Shira.Training.Methods;

namespace Microsoft.ML.Shira.Training;

/// <summary>
/// The part of <c>Fit</c> that every task shares once its base model is loaded, its task built and its data batched:
/// prepares the options' <see cref="FineTuningMethod"/> (for SHiRA: chooses the mask, calibrating it with the task's
/// loss if needed, and injects), trains with <see cref="FineTuningLoop"/>, and returns the adapter that reproduces the
/// trained model on the base weights, with the model's plain Linear layers put back. Whatever the method injected or
/// copied is released on any error or cancellation.
/// </summary>
internal static class AdapterFineTuning
{
    /// <summary>Fine-tunes <paramref name="task"/>'s model and logs what trained and how many weights changed.</summary>
    /// <param name="run">The run's log, clock, seed and device.</param>
    /// <param name="options">Method, budget, optimizer, loop and adapter name.</param>
    /// <param name="baseModelId">The base model's id, recorded in the adapter.</param>
    /// <param name="task">The task's model, loss, metric and extra parameters.</param>
    /// <param name="train">Training batches per epoch (epoch 1 also calibrates Gradient/SNIP masks).</param>
    /// <param name="validation">Validation batches, or null.</param>
    public static SparseAdapter Train<TBatch>(
        TrainingRun run, ShiraTrainerOptionsBase options, string baseModelId, TrainingTask<TBatch> task,
        IEpochBatches<TBatch> train, IReadOnlyList<TBatch>? validation)
    {
        var model = task.Model;
        long modelWeights = model.parameters().Sum(p => p.numel());
        var method = FineTuningFactory.Create(options, run.Seed, model, () => ShiraMaskSelection.Create(
            options, run.Seed, model, baseModelId, train.Epoch(1), task.Loss, task.ExtraGroups.SelectMany(g => g.Parameters)));
        SparseAdapter adapter;
        long changed;
        try
        {
            options.TrainableCountObserver?.Invoke(method.TrainableCount);
            run.Log.Info(method.Describe() + task.DescribeExtras + ".");
            if (method is ShiraFineTuning shira)
                run.Log.Info(shira.DescribeGradientPaths() + ".");
            task.BeforeTraining(validation, options.CancellationToken);
            var groups = task.ExtraGroups.Prepend(new ParameterGroup(method.Parameters, options.EffectiveLearningRate)).ToList();
            string signature = RunSignature.Of(options, baseModelId, task, run.Seed, train, groups);
            FineTuningLoop.Run(task, groups, train, validation, LoopSettings.From(options, signature), run.Log, run.Clock);
            options.CancellationToken.ThrowIfCancellationRequested();
            (adapter, changed) = method.Finish(options.AdapterName, baseModelId, task.PeftTaskType, run.Seed);
        }
        finally
        {
            (method as IDisposable)?.Dispose();
        }
        run.Log.Info(FineTuningSummary.Describe(method, changed, modelWeights, task.ModelKind));
        return adapter;
    }
}
