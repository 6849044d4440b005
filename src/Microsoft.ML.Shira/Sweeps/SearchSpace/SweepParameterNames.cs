namespace Microsoft.ML.Shira.Sweeps;

/// <summary>The trainer settings a <see cref="ShiraSearchSpace"/> can sweep, by name.</summary>
public static class SweepParameterNames
{
    /// <summary><see cref="ShiraTrainerOptionsBase.Method"/>: a <see cref="FineTuningMethod"/> name.</summary>
    public const string Method = "Method";

    /// <summary><see cref="ShiraTrainerOptionsBase.MaskType"/>: a <see cref="Masks.MaskType"/> name.</summary>
    public const string MaskType = "MaskType";

    /// <summary><see cref="ShiraTrainerOptionsBase.Sparsity"/> (trainable fraction of each targeted matrix).</summary>
    public const string Sparsity = "Sparsity";

    /// <summary><see cref="ShiraTrainerOptionsBase.Rank"/> (SHiRA's and LoRA's r; overrides the sparsity).</summary>
    public const string Rank = "Rank";

    /// <summary><see cref="ShiraTrainerOptionsBase.TargetModules"/>: comma-separated module names, e.g. "query,value".</summary>
    public const string TargetModules = "TargetModules";

    /// <summary><see cref="ShiraTrainerOptionsBase.LearningRate"/>, absolute.</summary>
    public const string LearningRate = "LearningRate";

    /// <summary>
    /// The learning rate as a multiple of the trial's method default (<see cref="ShiraTrainerOptionsBase.DefaultLearningRate"/>).
    /// Methods whose good rates differ by 100× (SHiRA, full fine-tuning) are then searched each around its own rate,
    /// which is what makes a sweep across methods fair.
    /// </summary>
    public const string LearningRateMultiplier = "LearningRateMultiplier";

    /// <summary><see cref="TextClassification.ShiraTextClassificationOptions.HeadLearningRate"/> (classification only).</summary>
    public const string HeadLearningRate = "HeadLearningRate";

    /// <summary><see cref="ShiraTrainerOptionsBase.Epochs"/> (a cost-aware tuner sets it as the resource instead).</summary>
    public const string Epochs = "Epochs";

    /// <summary><see cref="ShiraTrainerOptionsBase.BatchSize"/>.</summary>
    public const string BatchSize = "BatchSize";

    /// <summary>The task options' <c>MaxSequenceLength</c>.</summary>
    public const string MaxSequenceLength = "MaxSequenceLength";

    /// <summary><see cref="ShiraTrainerOptionsBase.WarmupProportion"/>.</summary>
    public const string WarmupProportion = "WarmupProportion";

    /// <summary><see cref="ShiraTrainerOptionsBase.WeightDecay"/>.</summary>
    public const string WeightDecay = "WeightDecay";

    /// <summary>Every name above.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        Method, MaskType, Sparsity, Rank, TargetModules, LearningRate, LearningRateMultiplier, HeadLearningRate,
        Epochs, BatchSize, MaxSequenceLength, WarmupProportion, WeightDecay,
    ];
}
