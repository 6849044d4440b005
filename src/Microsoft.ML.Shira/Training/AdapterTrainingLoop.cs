using System.Diagnostics;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Training;

/// <summary>
/// A small reusable training loop: AdamW over exactly the parameters it is given (the adapter values, and a head if any),
/// so frozen weights get neither optimizer state nor weight decay. One dispose scope per step: no tensor outlives its batch.
/// </summary>
public static class AdapterTrainingLoop
{
    /// <summary>Trains and returns the loss of every step.</summary>
    /// <param name="parameters">Trainable parameters; each must require gradients.</param>
    /// <param name="batches">Batches of one epoch (enumerated once per epoch).</param>
    /// <param name="loss">Computes the scalar loss of a batch (forward pass).</param>
    /// <param name="options">Optimizer and schedule.</param>
    /// <param name="progress">Receives every step.</param>
    /// <param name="cancellationToken">Checked before every step.</param>
    /// <exception cref="OperationCanceledException">Cancelled; parameters keep the last completed step.</exception>
    public static IReadOnlyList<double> Run<TBatch>(
        IEnumerable<Parameter> parameters,
        IReadOnlyCollection<TBatch> batches,
        Func<TBatch, Tensor> loss,
        AdapterTrainingOptions? options = null,
        IProgress<TrainingStep>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(batches);
        ArgumentNullException.ThrowIfNull(loss);
        options ??= new AdapterTrainingOptions();
        options.Validate();
        var trainable = parameters.ToList();
        if (trainable.Count == 0)
            throw new ArgumentException("No parameters to train.", nameof(parameters));
        if (trainable.Any(p => !p.requires_grad))
            throw new ArgumentException("Every parameter given to the training loop must require gradients; frozen weights must not reach the optimizer.", nameof(parameters));
        if (batches.Count == 0)
            throw new ArgumentException("No training batches.", nameof(batches));

        using var optimizer = optim.AdamW(trainable, options.LearningRate, options.Beta1, options.Beta2, weight_decay: options.WeightDecay);
        int totalSteps = options.Epochs * batches.Count;
        var losses = new List<double>(totalSteps);
        var clock = Stopwatch.StartNew();
        int step = 0;
        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            foreach (var batch in batches)
            {
                cancellationToken.ThrowIfCancellationRequested();
                double lr = LearningRateAt(step, totalSteps, options);
                foreach (var group in optimizer.ParamGroups)
                    group.LearningRate = lr;

                using var scope = NewDisposeScope();
                optimizer.zero_grad();
                var value = loss(batch);
                value.backward();
                if (options.MaxGradNorm > 0)
                    nn.utils.clip_grad_norm_(trainable, options.MaxGradNorm);
                optimizer.step();
                double lossValue = value.ToDouble();
                if (double.IsNaN(lossValue) || double.IsInfinity(lossValue))
                    throw new InvalidOperationException($"The training loss became {lossValue} at step {step + 1}; lower the learning rate.");
                losses.Add(lossValue);
                step++;
                progress?.Report(new TrainingStep(epoch, step, totalSteps, lossValue, lr, clock.Elapsed));
            }
        }
        return losses;
    }

    /// <summary>Linear warm-up then linear decay to zero (or constant).</summary>
    public static double LearningRateAt(int step, int totalSteps, AdapterTrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.WarmupSteps > 0 && step < options.WarmupSteps)
            return options.LearningRate * (step + 1) / options.WarmupSteps;
        if (options.ConstantLearningRate)
            return options.LearningRate;
        int decaySteps = Math.Max(1, totalSteps - options.WarmupSteps);
        return options.LearningRate * Math.Max(0.0, (double)(totalSteps - step) / decaySteps);
    }
}
