namespace Microsoft.ML.Shira.Training;

/// <summary>Progress of one optimizer step.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Step">1-based global step.</param>
/// <param name="TotalSteps">Steps of the whole run.</param>
/// <param name="Loss">Loss of this step's batch.</param>
/// <param name="LearningRate">Learning rate used for this step.</param>
/// <param name="Elapsed">Wall time since the run started.</param>
public sealed record TrainingStep(int Epoch, int Step, int TotalSteps, double Loss, double LearningRate, TimeSpan Elapsed)
{
    /// <summary>Estimated time to the end of the run.</summary>
    public TimeSpan EstimatedRemaining => Step == 0 ? TimeSpan.Zero : Elapsed / Step * (TotalSteps - Step);

    /// <summary>Optimizer steps per second so far.</summary>
    public double StepsPerSecond => Elapsed.TotalSeconds > 0 ? Step / Elapsed.TotalSeconds : 0;
}
