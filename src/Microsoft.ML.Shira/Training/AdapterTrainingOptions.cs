namespace Microsoft.ML.Shira.Training;

/// <summary>Optimizer and schedule of <see cref="AdapterTrainingLoop"/>. Defaults follow the SHiRA paper (AdamW, lr 5e-4, linear decay).</summary>
public sealed class AdapterTrainingOptions
{
    /// <summary>Peak learning rate.</summary>
    public double LearningRate { get; set; } = 5e-4;

    /// <summary>AdamW decoupled weight decay; applied only to the parameters given to the loop.</summary>
    public double WeightDecay { get; set; } = 0.0;

    /// <summary>AdamW β₁.</summary>
    public double Beta1 { get; set; } = 0.9;

    /// <summary>AdamW β₂.</summary>
    public double Beta2 { get; set; } = 0.999;

    /// <summary>Passes over the batches.</summary>
    public int Epochs { get; set; } = 1;

    /// <summary>Linear warm-up steps before the linear decay to zero.</summary>
    public int WarmupSteps { get; set; }

    /// <summary>Keep the learning rate constant instead of decaying it linearly to zero.</summary>
    public bool ConstantLearningRate { get; set; }

    /// <summary>Clip the global gradient norm to this value; 0 disables clipping.</summary>
    public double MaxGradNorm { get; set; } = 1.0;

    internal void Validate()
    {
        if (!(LearningRate > 0))
            throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "Learning rate must be positive.");
        if (WeightDecay < 0)
            throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay, "Weight decay must be non-negative.");
        if (Epochs <= 0)
            throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, "Epochs must be positive.");
        if (WarmupSteps < 0)
            throw new ArgumentOutOfRangeException(nameof(WarmupSteps), WarmupSteps, "Warm-up steps must be non-negative.");
        if (MaxGradNorm < 0)
            throw new ArgumentOutOfRangeException(nameof(MaxGradNorm), MaxGradNorm, "MaxGradNorm must be non-negative.");
    }
}
