using System.Diagnostics;
using Microsoft.ML.Shira.Runtime;
using TorchSharp.Modules;

namespace Microsoft.ML.Shira.Training;

/// <summary>
/// The training loop of every task: AdamW over exactly the given parameter groups (frozen weights get neither optimizer
/// state nor weight decay), the linear warm-up/decay schedule scaling each group's peak learning rate, global gradient
/// clipping, one dispose scope per step, a divergence check, validation after every epoch, early stopping and the best
/// epoch's values restored at the end. The task supplies the model, loss, validation metric and reporting.
/// </summary>
internal static class FineTuningLoop
{
    /// <summary>Trains; the model is left in eval mode, holding the best validated epoch's values when there was validation.</summary>
    /// <param name="task">The task's model, loss, metric and reporting.</param>
    /// <param name="groups">The trained parameters with their peak learning rates (empty groups are skipped).</param>
    /// <param name="train">Training batches per epoch.</param>
    /// <param name="validation">Validation batches, or null.</param>
    /// <param name="settings">Epochs, optimizer, schedule, clipping, patience and cancellation.</param>
    /// <param name="log">Receives one line per epoch and the early-stopping decisions.</param>
    /// <param name="runClock">The run's clock (reported as elapsed time).</param>
    /// <exception cref="ArgumentException">No parameter to train, or a parameter does not require gradients.</exception>
    /// <exception cref="InvalidOperationException">The loss became NaN or infinite.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; parameters keep the last completed step.</exception>
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
        var optimizerGroups = optimizer.ParamGroups.ToList();
        int totalSteps = settings.Epochs * train.Count;
        var schedule = LearningRateSchedule.Linear(totalSteps, settings.WarmupProportion);
        var token = settings.CancellationToken;

        using var best = new BestEpoch();
        double? lastValidation = null;
        int step = 0;
        long work = 0;
        var trainingClock = Stopwatch.StartNew();
        void Report(int epoch, double loss, bool isEpochEnd)
        {
            double seconds = trainingClock.Elapsed.TotalSeconds;
            var remaining = step == 0 ? TimeSpan.Zero : trainingClock.Elapsed / step * (totalSteps - step);
            task.Report(new LoopProgress(epoch, settings.Epochs, step, totalSteps, loss, lastValidation,
                seconds > 0 ? work / seconds : 0, runClock.Elapsed, remaining, isEpochEnd));
        }

        try
        {
            for (int epoch = 1; epoch <= settings.Epochs; epoch++)
            {
                task.Model.train();
                double lossSum = 0;
                long weightSum = 0;
                foreach (var batch in train.Epoch(epoch))
                {
                    token.ThrowIfCancellationRequested();
                    double factor = schedule.FactorAt(step);
                    for (int g = 0; g < optimizerGroups.Count; g++)
                        optimizerGroups[g].LearningRate = active[g].PeakLearningRate * factor;

                    double loss = Step(optimizer, all, settings.MaxGradNorm, () => task.Loss(batch));
                    if (double.IsNaN(loss) || double.IsInfinity(loss))
                        throw new InvalidOperationException($"The training loss became {loss} at step {step + 1}; {task.DivergenceHint}.");
                    step++;
                    lossSum += loss * task.LossWeight(batch);
                    weightSum += task.LossWeight(batch);
                    work += task.Work(batch);
                    Report(epoch, loss, isEpochEnd: false);
                }

                double trainLoss = lossSum / weightSum;
                string speed = task.Speed(work / trainingClock.Elapsed.TotalSeconds);
                if (validation is null)
                {
                    log.Info($"Epoch {epoch}/{settings.Epochs}: {task.DescribeTrainingLoss(trainLoss, validated: false)}, {speed}.");
                    Report(epoch, trainLoss, isEpochEnd: true);
                    continue;
                }

                task.Model.eval();
                var score = task.Validate(validation, token);
                lastValidation = score.Value;
                log.Info($"Epoch {epoch}/{settings.Epochs}: {task.DescribeTrainingLoss(trainLoss, validated: true)}, {score.Describe()}, {speed}.");
                Report(epoch, trainLoss, isEpochEnd: true);
                if (!best.Offer(epoch, score, all) && best.PatienceUsedUp(settings.EarlyStoppingPatience) && epoch < settings.Epochs)
                {
                    log.Info($"Early stopping after epoch {epoch}: {score.NoImprovement} for {best.StaleEpochs} epoch(s).");
                    break;
                }
            }

            if (best.Score is { } kept && best.Restore())
                log.Info($"Keeping epoch {best.Epoch} ({kept.DescribeKept()}).");
        }
        finally
        {
            task.Model.eval();
        }
    }

    /// <summary>
    /// One optimizer step: zeroes the gradients, back-propagates <paramref name="computeLoss"/>, clips the global gradient
    /// norm (0 turns clipping off) and steps. Every tensor of the step is disposed.
    /// </summary>
    private static double Step(OptimizerHelper optimizer, IReadOnlyList<Parameter> parameters, double maxGradNorm, Func<Tensor> computeLoss)
    {
        using var scope = NewDisposeScope();
        optimizer.zero_grad();
        var loss = computeLoss();
        loss.backward();
        if (maxGradNorm > 0)
            nn.utils.clip_grad_norm_(parameters, maxGradNorm);
        optimizer.step();
        return loss.ToDouble();
    }
}

/// <summary>The options of <see cref="ShiraTrainerOptionsBase"/> that drive <see cref="FineTuningLoop"/>.</summary>
internal sealed record LoopSettings(int Epochs, double WeightDecay, double WarmupProportion, double MaxGradNorm, int EarlyStoppingPatience, CancellationToken CancellationToken)
{
    public static LoopSettings From(ShiraTrainerOptionsBase options) =>
        new(options.Epochs, options.WeightDecay, options.WarmupProportion, options.MaxGradNorm, options.EarlyStoppingPatience, options.CancellationToken);
}
