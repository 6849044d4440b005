namespace Microsoft.ML.Shira.Training;

/// <summary>
/// What a task (text classification, text generation, …) plugs into <see cref="FineTuningLoop"/> and
/// <see cref="AdapterFineTuning"/>: its model and loss, how batches are counted, its validation metric, extra
/// parameters such as a head, and how progress is reported. Everything else — the optimizer, schedule, clipping,
/// validation bookkeeping, early stopping, cancellation and logging — is the same for every task.
/// </summary>
/// <typeparam name="TBatch">A batch of the task's training data.</typeparam>
internal abstract class TrainingTask<TBatch>
{
    /// <summary>The pretrained model being fine-tuned (switched between train and eval mode by the loop).</summary>
    public abstract nn.Module Model { get; }

    /// <summary>What the model is called in the training summary, e.g. <c>encoder</c> or <c>model</c>.</summary>
    public abstract string ModelKind { get; }

    /// <summary>PEFT task type recorded in the adapter, e.g. <c>SEQ_CLS</c> or <c>CAUSAL_LM</c>.</summary>
    public abstract string PeftTaskType { get; }

    /// <summary>Parameters trained besides the method's (e.g. a classifier head), frozen while a mask is calibrated.</summary>
    public virtual IReadOnlyList<ParameterGroup> ExtraGroups => [];

    /// <summary>Appended to the description of what trains, e.g. <c> + head 770</c>.</summary>
    public virtual string DescribeExtras => "";

    /// <summary>What to lower when the loss diverges, for the error message.</summary>
    public abstract string DivergenceHint { get; }

    /// <summary>The mean loss of <paramref name="batch"/>, the value back-propagated (tensors in the caller's dispose scope).</summary>
    public abstract Tensor Loss(TBatch batch);

    /// <summary>How much <paramref name="batch"/> counts in an epoch's mean training loss (rows, target tokens, …).</summary>
    public abstract long LossWeight(TBatch batch);

    /// <summary>The work <paramref name="batch"/> represents for the training speed (rows, tokens, …).</summary>
    public abstract long Work(TBatch batch);

    /// <summary>The training speed for the log, e.g. <c>12.3 rows/s</c>.</summary>
    public abstract string Speed(double workPerSecond);

    /// <summary>The epoch's training loss for the log; <paramref name="validated"/> tells whether a validation score follows.</summary>
    public virtual string DescribeTrainingLoss(double loss, bool validated) => $"training loss {loss:F4}";

    /// <summary>Runs once before the first step (e.g. to log the base model's validation score).</summary>
    public virtual void BeforeTraining(IReadOnlyList<TBatch>? validation, CancellationToken token)
    {
    }

    /// <summary>Scores the model (in eval mode, without gradients) on the validation batches.</summary>
    public abstract IValidationScore Validate(IReadOnlyList<TBatch> batches, CancellationToken token);

    /// <summary>Rebuilds a score from its <see cref="IValidationScore.Components"/> (when resuming from a checkpoint).</summary>
    public abstract IValidationScore ScoreFrom(IReadOnlyList<double> components);

    /// <summary>Receives progress after every step and every epoch.</summary>
    public abstract void Report(LoopProgress progress);
}
