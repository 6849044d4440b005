using System.Diagnostics;
using Microsoft.ML.Shira.Runtime;
using Microsoft.ML.Shira.Training.Checkpoints;
using TorchSharp.Modules;

namespace Microsoft.ML.Shira.Training;

/// <summary>
/// The state of one run of <see cref="FineTuningLoop"/>: where it is (epoch, batch, step), the epoch's running loss, the
/// best epoch, and how it is written to and taken up from a <see cref="TrainingCheckpoint"/>.
/// </summary>
internal sealed class LoopState<TBatch>(
    TrainingTask<TBatch> task, IReadOnlyList<ParameterGroup> groups, IReadOnlyList<Parameter> parameters, OptimizerHelper optimizer,
    BestEpoch best, IEpochBatches<TBatch> train, LoopSettings settings, MlContextLog log, Stopwatch runClock)
{
    private readonly int _totalSteps = settings.Epochs * train.Count;
    private readonly LearningRateSchedule _schedule = LearningRateSchedule.Linear(settings.Epochs * train.Count, settings.WarmupProportion);
    private readonly Stopwatch _trainingClock = Stopwatch.StartNew();
    private int _batchesDone;
    private int _step;
    private double _lossSum;
    private long _weightSum;
    private long _work;
    private double? _lastValidation;

    /// <summary>The epoch to start with (after a resume, the one in progress).</summary>
    public int Epoch { get; private set; } = 1;

    /// <summary>Takes up the checkpoint of this run, when there is one.</summary>
    /// <exception cref="InvalidOperationException">The directory holds another run's checkpoint.</exception>
    public void Resume()
    {
        if (settings.CheckpointDirectory is not { } directory)
            return;
        using var checkpoint = TrainingCheckpoint.Load(directory);
        if (checkpoint is null)
            return;
        var position = checkpoint.Position;
        if (position.Signature != settings.Signature)
            throw new InvalidOperationException(
                $"The checkpoint in '{directory}' belongs to another training run (other options, data or model): its signature is " +
                $"{position.Signature}, this run's is {settings.Signature}. Give this run its own CheckpointDirectory, or delete the old checkpoint.");
        if (checkpoint.Parameters.Count != parameters.Count)
            throw new ShiraFormatException($"The checkpoint in '{directory}' holds {checkpoint.Parameters.Count} trained tensors; this run trains {parameters.Count}.");
        using (no_grad())
        {
            for (int i = 0; i < parameters.Count; i++)
                parameters[i].copy_(checkpoint.Parameters[i]);
        }
        TrainingCheckpoint.LoadOptimizer(optimizer, checkpoint.Optimizer);
        random.set_rng_state(checkpoint.RandomState);
        best.Resume(position.BestEpoch, position.BestScore is { } score ? task.ScoreFrom(score) : null, position.StaleEpochs, parameters, checkpoint.Best);
        (Epoch, _batchesDone, _step, _lossSum, _weightSum, _work, _lastValidation) =
            (position.Epoch, position.BatchesDone, position.Step, position.LossSum, position.WeightSum, position.Work, position.LastValidation);
        log.Info($"Resuming from the checkpoint in '{directory}': {checkpoint}.");
    }

    /// <summary>Trains the rest of <paramref name="epoch"/>; false when training should stop (never, today).</summary>
    public bool TrainEpoch(int epoch)
    {
        var token = settings.CancellationToken;
        var groupsOfOptimizer = optimizer.ParamGroups.ToList();
        task.Model.train();
        int batchIndex = 0;
        foreach (var batch in train.Epoch(epoch))
        {
            if (batchIndex++ < _batchesDone)
                continue;
            if (token.IsCancellationRequested)
            {
                Checkpoint(epoch);
                token.ThrowIfCancellationRequested();
            }
            double factor = _schedule.FactorAt(_step);
            for (int g = 0; g < groupsOfOptimizer.Count; g++)
                groupsOfOptimizer[g].LearningRate = groups[g].PeakLearningRate * factor;

            double loss = Step(batch, epoch, batchIndex - 1);
            _step++;
            _batchesDone++;
            _lossSum += loss * task.LossWeight(batch);
            _weightSum += task.LossWeight(batch);
            _work += task.Work(batch);
            Report(epoch, loss, isEpochEnd: false);
            if (settings.CheckpointEverySteps > 0 && _step % settings.CheckpointEverySteps == 0)
                Checkpoint(epoch);
        }
        return true;
    }

    /// <summary>Ends <paramref name="epoch"/>: logs it, validates, keeps the best epoch; false when training stops early.</summary>
    public bool Validate(int epoch, IReadOnlyList<TBatch>? validation)
    {
        double trainLoss = _lossSum / _weightSum;
        string speed = task.Speed(_work / _trainingClock.Elapsed.TotalSeconds);
        bool goOn = true;
        if (validation is null)
        {
            log.Info($"Epoch {epoch}/{settings.Epochs}: {task.DescribeTrainingLoss(trainLoss, validated: false)}, {speed}.");
            Report(epoch, trainLoss, isEpochEnd: true);
        }
        else
        {
            task.Model.eval();
            var score = task.Validate(validation, settings.CancellationToken);
            _lastValidation = score.Value;
            log.Info($"Epoch {epoch}/{settings.Epochs}: {task.DescribeTrainingLoss(trainLoss, validated: true)}, {score.Describe()}, {speed}.");
            Report(epoch, trainLoss, isEpochEnd: true);
            if (!best.Offer(epoch, score, parameters) && best.PatienceUsedUp(settings.EarlyStoppingPatience) && epoch < settings.Epochs)
            {
                log.Info($"Early stopping after epoch {epoch}: {score.NoImprovement} for {best.StaleEpochs} epoch(s).");
                goOn = false;
            }
        }
        (_batchesDone, _lossSum, _weightSum) = (0, 0, 0);
        Checkpoint(goOn ? epoch + 1 : settings.Epochs + 1);
        return goOn;
    }

    /// <summary>
    /// One optimizer step: zeroes the gradients, computes the loss, back-propagates, clips the global gradient norm (0
    /// turns clipping off) and steps, each tensor of the step disposed. A non-finite loss or gradient norm stops before
    /// the update.
    /// </summary>
    private double Step(TBatch batch, int epoch, int batchIndex)
    {
        using var scope = NewDisposeScope();
        optimizer.zero_grad();
        var lossTensor = task.Loss(batch);
        double loss = lossTensor.ToDouble();
        if (!double.IsFinite(loss))
            throw Diverged($"The training loss became {loss}", epoch, batchIndex);
        lossTensor.backward();
        double norm = nn.utils.clip_grad_norm_(parameters, settings.MaxGradNorm > 0 ? settings.MaxGradNorm : double.PositiveInfinity);
        if (!double.IsFinite(norm))
            throw Diverged($"The gradient norm became {norm}", epoch, batchIndex);
        optimizer.step();
        return loss;
    }

    private InvalidOperationException Diverged(string what, int epoch, int batchIndex)
    {
        var rows = train.RowsOf(epoch, batchIndex);
        string rowList = string.Join(", ", rows.Take(16)) + (rows.Count > 16 ? $", … ({rows.Count} rows)" : "");
        string kept = settings.CheckpointDirectory is null ? "" : $" The last checkpoint in '{settings.CheckpointDirectory}' is from before this step.";
        return new InvalidOperationException(
            $"{what} at epoch {epoch}, step {_step + 1} (batch {batchIndex + 1} of {train.Count}, training rows {rowList}); nothing was updated from it; {task.DivergenceHint}.{kept}");
    }

    private void Checkpoint(int nextEpoch)
    {
        if (settings.CheckpointDirectory is not { } directory)
            return;
        using var rng = random.get_rng_state();
        var checkpoint = new TrainingCheckpoint
        {
            Position = new TrainingPosition(settings.Signature, nextEpoch, _batchesDone, _step, _lossSum, _weightSum, _work,
                _lastValidation, best.Epoch, best.Score?.Components.ToArray(), best.StaleEpochs),
            Parameters = parameters,
            Best = best.Values,
            Optimizer = TrainingCheckpoint.SaveOptimizer(optimizer),
            RandomState = rng,
        };
        checkpoint.Save(directory);
    }

    private void Report(int epoch, double loss, bool isEpochEnd)
    {
        double seconds = _trainingClock.Elapsed.TotalSeconds;
        var remaining = _step == 0 ? TimeSpan.Zero : _trainingClock.Elapsed / _step * (_totalSteps - _step);
        task.Report(new LoopProgress(epoch, settings.Epochs, _step, _totalSteps, loss, _lastValidation,
            seconds > 0 ? _work / seconds : 0, runClock.Elapsed, remaining, isEpochEnd));
    }
}
