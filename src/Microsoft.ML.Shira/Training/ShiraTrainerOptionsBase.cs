using Microsoft.ML.Shira.Masks;
using Microsoft.ML.Shira.Training;

namespace Microsoft.ML.Shira;

/// <summary>
/// What every SHiRA trainer's options have in common (<see cref="TextClassification.ShiraTextClassificationOptions"/>,
/// <see cref="TextGeneration.ShiraTextGenerationOptions"/>): the fine-tuning method and its budget, the optimizer and
/// schedule, the loop, validation and early stopping, and the run's seed, threads, device and cancellation. Each
/// derived class documents its own defaults where they differ (target modules, learning rate, warm-up).
/// </summary>
public abstract class ShiraTrainerOptionsBase
{
    /// <summary>
    /// Which weights of the pretrained model are fine-tuned: <see cref="FineTuningMethod.Shira"/> (default) or a
    /// baseline trained by the same loop (<see cref="FineTuningMethod.Lora"/> with SHiRA's trainable count,
    /// <see cref="FineTuningMethod.FullFineTuning"/>, and for classification <see cref="FineTuningMethod.HeadOnly"/>).
    /// <see cref="LearningRate"/> applies to the method's parameters.
    /// </summary>
    public FineTuningMethod Method = FineTuningMethod.Shira;

    /// <summary>
    /// How SHiRA's trainable entries are chosen. Default <see cref="MaskType.Random"/> (PEFT's default SHiRA mask): no
    /// calibration passes. <see cref="MaskType.Gradient"/> and <see cref="MaskType.Snip"/> calibrate on
    /// <see cref="CalibrationBatches"/> batches of the first epoch and usually want a lower <see cref="LearningRate"/>.
    /// </summary>
    public MaskType MaskType = MaskType.Random;

    /// <summary>Fraction of every targeted weight matrix that is trainable (default 0.01 = 1%). Ignored when <see cref="Rank"/> is set.</summary>
    public double Sparsity = 0.01;

    /// <summary>Optional PEFT-style budget: <c>r·(in+out)</c> entries per matrix, the parameter count of a rank-r LoRA. Overrides <see cref="Sparsity"/>.</summary>
    public int? Rank;

    /// <summary>
    /// SHiRA only: adapters whose positions the new mask must avoid, per layer, so that the new adapter and these do not
    /// overlap (for interference-free fusion). The mask picks among its usual candidates minus these positions (see
    /// <see cref="ExcludingMask"/>). Empty by default.
    /// </summary>
    public IList<Adapters.SparseAdapter> NonOverlappingWith = new List<Adapters.SparseAdapter>();

    /// <summary>Linear layers to adapt (PEFT <c>target_modules</c>: a path or path suffix). The default depends on the task's model family.</summary>
    public IList<string> TargetModules = new List<string>();

    /// <summary>Optional regular expression that must match a whole module path (in addition to <see cref="TargetModules"/>).</summary>
    public string? TargetModulesPattern;

    /// <summary>Module paths the task's forward pass never uses (e.g. BERT's <c>pooler.dense</c> under mean pooling): never adapted.</summary>
    internal IReadOnlyList<string> ExcludedModules = [];

    /// <summary>
    /// Peak AdamW learning rate of the parameters the <see cref="Method"/> trains (SHiRA values, LoRA factors or every
    /// weight; linear warm-up, then linear decay to zero). Null (the default) uses
    /// <see cref="DefaultLearningRate"/> for the <see cref="Method"/> and <see cref="MaskType"/>: each method trains at
    /// the rate chosen for it, so switching methods needs no retuning. Each options class documents its table.
    /// </summary>
    public double? LearningRate;

    /// <summary>The learning rate training uses: <see cref="LearningRate"/> when set, else <see cref="DefaultLearningRate"/>.</summary>
    public double EffectiveLearningRate => LearningRate ?? DefaultLearningRate(Method, MaskType);

    /// <summary>
    /// The task's default peak learning rate for <paramref name="method"/> with <paramref name="maskType"/> (the mask
    /// matters for SHiRA only); a good centre for a learning-rate sweep.
    /// </summary>
    public abstract double DefaultLearningRate(FineTuningMethod method, MaskType maskType);

    /// <summary>AdamW decoupled weight decay of the trained parameters.</summary>
    public double WeightDecay = 0.0;

    /// <summary>Share of all steps spent warming the learning rate up linearly.</summary>
    public double WarmupProportion = 0.1;

    /// <summary>Clip the global gradient norm to this value; 0 disables clipping.</summary>
    public double MaxGradNorm = 1.0;

    /// <summary>Passes over the training data.</summary>
    public int Epochs = 3;

    /// <summary>Rows (or sequences) per optimizer step, and per inference batch of the trained transformer.</summary>
    public int BatchSize = 16;

    /// <summary>Optional validation data (the training columns), scored after every epoch.</summary>
    public IDataView? ValidationSet;

    /// <summary>
    /// With a <see cref="ValidationSet"/>: stop after this many epochs without a better validation score (accuracy for
    /// classification, perplexity for generation); 0 never stops early. The best epoch's weights are always kept.
    /// </summary>
    public int EarlyStoppingPatience = 2;

    /// <summary>Seed of the mask, initializations, dropout and shuffling; null draws one from the <see cref="MLContext"/>'s seed.</summary>
    public int? Seed;

    /// <summary>TorchSharp intra-op threads (<c>torch.set_num_threads</c>, process-wide); 0 keeps the current setting.</summary>
    public int NumberOfThreads;

    /// <summary>
    /// <c>"cpu"</c>, <c>"cuda"</c> or <c>"cuda:N"</c>; null uses <see cref="MLContext.GpuDeviceId"/> when set, else the CPU.
    /// An unavailable GPU falls back to the CPU only when <see cref="MLContext.FallbackToCpu"/> is true.
    /// </summary>
    public string? Device;

    /// <summary>
    /// The element type the base model's weights are loaded and trained in: <see cref="ShiraPrecision.Float32"/> (the
    /// default), or <see cref="ShiraPrecision.BFloat16"/> / <see cref="ShiraPrecision.Float16"/> to halve the base
    /// model's memory and use a GPU's low-precision units. The trained values (SHiRA values, LoRA factors, the
    /// classification head) stay float32 and their updates are exact in float32; normalisation, softmax, pooling and the
    /// loss run in float32. <see cref="FineTuningMethod.FullFineTuning"/> needs <see cref="ShiraPrecision.Float32"/>
    /// (it would update every weight in the low-precision type). The transformer keeps the base in this type, and model
    /// files record it, so a loaded model computes exactly what the trained one did.
    /// </summary>
    public ShiraPrecision BaseModelPrecision = ShiraPrecision.Float32;

    /// <summary>
    /// SHiRA only: how the trainable values' gradient is computed. <see cref="Adapters.Layers.ShiraGradientPath.Auto"/>
    /// (the default) picks per layer the path measured faster for its device, weight type and size (dense on a GPU,
    /// sparse on the CPU at usual sparsities; see <see cref="Adapters.Layers.ShiraGradientPathRule"/>) and logs the choice
    /// when training starts; <see cref="Adapters.Layers.ShiraGradientPath.Sparse"/> or
    /// <see cref="Adapters.Layers.ShiraGradientPath.Dense"/> force one. Both give the same gradients up to rounding.
    /// </summary>
    public Adapters.Layers.ShiraGradientPath GradientPath = Adapters.Layers.ShiraGradientPath.Auto;

    /// <summary>Batches used to calibrate <see cref="MaskType.Gradient"/> and <see cref="MaskType.Snip"/> masks (the first batches of epoch 1).</summary>
    public int CalibrationBatches = 8;

    /// <summary>Name of the trained adapter inside the transformer.</summary>
    public string AdapterName = "default";

    /// <summary>
    /// Cancels training; <c>Fit</c> then throws <see cref="OperationCanceledException"/> and releases everything it built
    /// (with a <see cref="CheckpointDirectory"/>, a checkpoint of the last completed step is written first).
    /// </summary>
    public CancellationToken CancellationToken;

    /// <summary>
    /// A folder for training checkpoints (null, the default, writes none). The trained values, the optimizer's state, the
    /// position in the data and the random-number state are written there atomically every
    /// <see cref="CheckpointEverySteps"/> steps, after every epoch and when training is cancelled. When <c>Fit</c> finds a
    /// checkpoint of the same run there (same task, base model, method, mask, budget, targets, seed, batch size, epochs
    /// and data size), it resumes from it, and the result is bit for bit the one of an uninterrupted run on the CPU.
    /// Learning rates may differ from the interrupted run (e.g. lower after a divergence). A checkpoint of another run
    /// is refused; the folder is not cleaned up after training.
    /// </summary>
    public string? CheckpointDirectory;

    /// <summary>Steps between training checkpoints (see <see cref="CheckpointDirectory"/>); default 100.</summary>
    public int CheckpointEverySteps = 100;

    /// <summary>Told the trainable parameter count once the method is prepared (a sweep records it per trial).</summary>
    internal Action<long>? TrainableCountObserver;

    /// <summary>A copy with lists of its own, so that a sweep trial can change it without touching these options.</summary>
    internal ShiraTrainerOptionsBase CopyForTrial()
    {
        var copy = (ShiraTrainerOptionsBase)MemberwiseClone();
        copy.TargetModules = TargetModules.ToList();
        copy.NonOverlappingWith = NonOverlappingWith.ToList();
        return copy;
    }

    /// <summary>The per-matrix budget these options ask for.</summary>
    internal ShiraBudget Budget() => Rank is { } r ? ShiraBudget.FromRank(r) : ShiraBudget.FromSparsity(Sparsity);

    /// <summary>Checks every option; throws naming the first bad one.</summary>
    /// <exception cref="ArgumentException">An option is missing or out of range.</exception>
    internal abstract void Validate();

    /// <summary>Checks the shared options; throws naming the first bad one.</summary>
    /// <param name="targetModuleExample">A target module of the task's model family, for the error message.</param>
    internal void ValidateTraining(string targetModuleExample)
    {
        OptionChecks.RequireName(AdapterName, nameof(AdapterName));
        if (!Enum.IsDefined(Method))
            throw new ArgumentOutOfRangeException(nameof(Method), Method, "Unknown fine-tuning method.");
        if (!Enum.IsDefined(MaskType))
            throw new ArgumentOutOfRangeException(nameof(MaskType), MaskType, "Unknown mask type.");
        if (!Enum.IsDefined(GradientPath))
            throw new ArgumentOutOfRangeException(nameof(GradientPath), GradientPath, "Unknown gradient path.");
        _ = Budget();
        if (NonOverlappingWith is null || NonOverlappingWith.Any(a => a is null))
            throw new ArgumentNullException(nameof(NonOverlappingWith), "NonOverlappingWith must be a list of adapters (empty for none).");
        if (NonOverlappingWith.Count > 0 && Method != FineTuningMethod.Shira)
            throw new ArgumentException($"NonOverlappingWith applies to SHiRA masks only; Method is {Method}.", nameof(NonOverlappingWith));
        OptionChecks.RequireDevice(Device, nameof(Device));
        if (!Enum.IsDefined(BaseModelPrecision))
            throw new ArgumentOutOfRangeException(nameof(BaseModelPrecision), BaseModelPrecision, "Unknown precision.");
        if (BaseModelPrecision != ShiraPrecision.Float32 && Method == FineTuningMethod.FullFineTuning)
            throw new ArgumentException(
                $"FullFineTuning updates every base weight in the base model's type, and with BaseModelPrecision {BaseModelPrecision} AdamW's small " +
                "updates would round away (no float32 master copy of the whole model is kept). Use BaseModelPrecision Float32 for full fine-tuning, " +
                "or SHiRA or LoRA, whose trained values stay float32.", nameof(BaseModelPrecision));
        OptionChecks.RequireTargets(TargetModules, TargetModulesPattern, targetModuleExample, nameof(TargetModules));
        if (LearningRate is double learningRate)
            OptionChecks.RequirePositive(learningRate, nameof(LearningRate));
        OptionChecks.RequireSchedule(WeightDecay, WarmupProportion, MaxGradNorm);
        OptionChecks.RequireLoop(Epochs, BatchSize, EarlyStoppingPatience, NumberOfThreads, CalibrationBatches);
        ArgumentOutOfRangeException.ThrowIfLessThan(CheckpointEverySteps, 1, nameof(CheckpointEverySteps));
        if (CheckpointDirectory is not null && string.IsNullOrWhiteSpace(CheckpointDirectory))
            throw new ArgumentException("CheckpointDirectory is empty; give a folder or null for no checkpoints.", nameof(CheckpointDirectory));
    }
}
