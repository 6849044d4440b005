using System.Diagnostics;
using Microsoft.ML.Shira.Runtime;
using Microsoft.ML.Shira.Training.Checkpoints;
using TorchSharp.Modules;

namespace Microsoft.ML.Shira.Training;

/// <summary>
/// The training loop of every task: AdamW over exactly the given parameter groups (frozen weights get neither optimizer
/// state nor weight decay), the linear warm-up/decay schedule scaling each group's peak learning rate, global gradient
/// clipping, one dispose scope per step, divergence checks before any update, validation after every epoch, early
/// stopping, the best epoch's values restored at the end, and optional checkpoints to resume an interrupted run
/// exactly. The task supplies the model, loss, validation metric and reporting.
/// </summary>
internal static class FineTuningLoop
{
    /// <summary>Trains; the model is left in eval mode, holding the best validated epoch's values when there was validation.</summary>
    /// <param name="task">The task's model, loss, metric and reporting.</param>
    /// <param name="groups">The trained parameters with their peak learning rates (empty groups are skipped).</param>
    /// <param name="train">Training batches per epoch.</param>
    /// <param name="validation">Validation batches, or null.</param>
    /// <param name="settings">Epochs, optimizer, schedule, clipping, patience, checkpoints and cancellation.</param>
    /// <param name="log">Receives one line per epoch, the early-stopping decisions and the checkpoint taken up.</param>
    /// <param name="runClock">The run's clock (reported as elapsed time).</param>
    /// <exception cref="ArgumentException">No parameter to train, or a parameter does not require gradients.</exception>
    /// <exception cref="InvalidOperationException">
    /// The loss or the gradient became NaN or infinite (no update is made from it; the last checkpoint stays usable), or
    /// the checkpoint directory holds another run's checkpoint.
    /// </exception>
    /// <exception cref="OperationCanceledException">Cancelled; parameters keep the last completed step, which a checkpoint records when checkpoints are on.</exception>
    public static void Run<TBatch>(
        TrainingTask<TBatch> task, IReadOnlyList<ParameterGroup> groups, IEpochBatches<TBatch> train, IReadOnlyList<TBatch>? validation,
        LoopSettings settings, MlContextLog log, Stopwatch runClock)
    {
        var active = groups.Where(g => g.Parameters.Count > 0).ToList();
        var all = active.SelectMany(g => g.Parameters).ToList();
        if (all.Count == 0)
            throw new ArgumentException("No parameters to train.", nameof(groups));
        if (all.Any(p => !p.requires_grad))
            throw new ArgumentException("Every trained parameter must require gradients; frozen weights must not reach the optimizer.", nameof(groups));
        if (train.Count == 0)
            throw new ArgumentException("No training batches.", nameof(train));

        using var optimizer = optim.AdamW(active
            .Select(g => new AdamW.ParamGroup(g.Parameters, g.PeakLearningRate, 0.9, 0.999, 1e-8, settings.WeightDecay, false, false))
            .ToArray());
        using var best = new BestEpoch();
        var run = new LoopState<TBatch>(task, active, all, optimizer, best, train, settings, log, runClock);
        run.Resume();
        try
        {
            for (int epoch = run.Epoch; epoch <= settings.Epochs; epoch++)
            {
                if (!run.TrainEpoch(epoch) || !run.Validate(epoch, validation))
                    break;
            }
            if (best.Score is { } kept && best.Restore())
                log.Info($"Keeping epoch {best.Epoch} ({kept.DescribeKept()}).");
        }
        finally
        {
            task.Model.eval();
        }
    }
}

/// <summary>The options of <see cref="ShiraTrainerOptionsBase"/> that drive <see cref="FineTuningLoop"/>.</summary>
/// <param name="Epochs">Passes over the training data.</param>
/// <param name="WeightDecay">AdamW decoupled weight decay.</param>
/// <param name="WarmupProportion">Share of the steps spent warming up.</param>
/// <param name="MaxGradNorm">Global gradient-norm clip; 0 turns clipping off.</param>
/// <param name="EarlyStoppingPatience">Stale validated epochs before stopping; 0 never stops.</param>
/// <param name="CancellationToken">Checked before every step.</param>
/// <param name="CheckpointDirectory">Where checkpoints are written and resumed from; null for none.</param>
/// <param name="CheckpointEverySteps">Steps between checkpoints (epoch ends and cancellation also write one).</param>
/// <param name="Signature">Identifies the run, so a checkpoint of another run is never taken up.</param>
internal sealed record LoopSettings(
    int Epochs, double WeightDecay, double WarmupProportion, double MaxGradNorm, int EarlyStoppingPatience, CancellationToken CancellationToken,
    string? CheckpointDirectory = null, int CheckpointEverySteps = 0, string Signature = "")
{
    public static LoopSettings From(ShiraTrainerOptionsBase options, string signature) =>
        new(options.Epochs, options.WeightDecay, options.WarmupProportion, options.MaxGradNorm, options.EarlyStoppingPatience, options.CancellationToken,
            options.CheckpointDirectory, options.CheckpointEverySteps, signature);
}
