using Microsoft.ML.Shira.Generation;
using Microsoft.ML.Shira.Masks;
using Microsoft.ML.Shira.Training;

namespace Microsoft.ML.Shira.TextGeneration;

/// <summary>
/// Options of <see cref="ShiraCatalog.TextGeneration(ShiraTextGenerationOptions)"/>: fine-tunes a pretrained causal
/// language model with a SHiRA adapter (a fixed ~1% of the entries of every targeted weight matrix is trainable), then
/// generates text from a prompt column.
/// </summary>
/// <remarks>
/// <para>Two ways to train. <b>Plain text</b> (<see cref="ResponseColumnName"/> null): next-token prediction on every
/// token of <see cref="TextColumnName"/>. <b>Prompt/response</b> (<see cref="PromptColumnName"/> and
/// <see cref="ResponseColumnName"/> set): the model reads <c>BOS prompt response</c> and only the response tokens count
/// in the loss (and in perplexity), so it learns to answer prompts, not to write them.</para>
/// <para>Every sequence starts with the tokenizer's BOS, as the model saw in pre-training and as generation feeds it.
/// Plain texts longer than <see cref="MaxSequenceLength"/> are split into consecutive windows, each starting with BOS.</para>
/// <para>Empty text: training and perplexity skip rows whose text (plain text) or response (prompt/response) is empty or
/// whitespace, with a warning in the log; an empty prompt is allowed (the response is then conditioned on BOS alone).
/// At <c>Transform</c>, an empty prompt generates from BOS alone, i.e. an unconditional sample.</para>
/// <para>Training messages (adapter size, base and per-epoch validation perplexity, early stopping) go to
/// <see cref="MLContext.Log"/> with the source <c>ShiraTextGeneration</c>; per-step progress goes to <see cref="Progress"/>.</para>
/// </remarks>
public sealed class ShiraTextGenerationOptions
{
    /// <summary>Text column (string) for plain causal language modeling, and the prompt column at inference when <see cref="PromptColumnName"/> is null.</summary>
    public string TextColumnName = "Text";

    /// <summary>
    /// Prompt column (string): with <see cref="ResponseColumnName"/>, the conditioning part of each training pair (not
    /// counted in the loss); always the column the trained transformer generates from when set.
    /// </summary>
    public string? PromptColumnName;

    /// <summary>Response column (string) of prompt/response training; requires <see cref="PromptColumnName"/>. Null trains on <see cref="TextColumnName"/>.</summary>
    public string? ResponseColumnName;

    /// <summary>Output column of the generated text (string): the continuation only, without the prompt.</summary>
    public string OutputColumnName = "GeneratedText";

    /// <summary>
    /// Which decoder weights are fine-tuned: <see cref="FineTuningMethod.Shira"/> (default), or a baseline with the same
    /// training loop: <see cref="FineTuningMethod.Lora"/> with SHiRA's trainable count, or
    /// <see cref="FineTuningMethod.FullFineTuning"/>. <see cref="FineTuningMethod.HeadOnly"/> does not apply (a decoder
    /// has no separate head). <see cref="LearningRate"/> applies to the method's parameters.
    /// </summary>
    public FineTuningMethod Method = FineTuningMethod.Shira;

    /// <summary>The pretrained decoder to adapt; default the embedded stories260K.</summary>
    public ShiraDecoderBaseModel BaseModel = ShiraDecoderBaseModel.Stories260K;

    /// <summary>
    /// How the trainable entries are chosen. Default <see cref="MaskType.Random"/> (PEFT's default SHiRA mask): no
    /// calibration passes. <see cref="MaskType.Gradient"/> and <see cref="MaskType.Snip"/> calibrate on
    /// <see cref="CalibrationBatches"/> batches of the first epoch.
    /// </summary>
    public MaskType MaskType = MaskType.Random;

    /// <summary>Fraction of every targeted weight matrix that is trainable (default 0.01 = 1%). Ignored when <see cref="Rank"/> is set.</summary>
    public double Sparsity = 0.01;

    /// <summary>Optional PEFT-style budget: <c>r·(in+out)</c> entries per matrix, the parameter count of a rank-r LoRA. Overrides <see cref="Sparsity"/>.</summary>
    public int? Rank;

    /// <summary>Linear layers to adapt (PEFT <c>target_modules</c>: a path or path suffix). Default every attention and MLP projection of LLaMA.</summary>
    public IList<string> TargetModules = new List<string> { "q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj" };

    /// <summary>Optional regular expression that must match a whole module path (in addition to <see cref="TargetModules"/>).</summary>
    public string? TargetModulesPattern;

    /// <summary>
    /// Peak AdamW learning rate of the parameters the <see cref="Method"/> trains (SHiRA values, LoRA factors or every
    /// weight; linear warm-up, then linear decay to zero). The paper's LLM recipe
    /// uses 5e-4 on 7B models; a 1% mask of the tiny stories260K needs a larger step (measured on TinyShakespeare, see
    /// the samples' README), hence the default 1e-2.
    /// </summary>
    public double LearningRate = 1e-2;

    /// <summary>AdamW decoupled weight decay of the adapter values.</summary>
    public double WeightDecay = 0.0;

    /// <summary>Share of all steps spent warming the learning rate up linearly (default 0.05).</summary>
    public double WarmupProportion = 0.05;

    /// <summary>Clip the global gradient norm to this value; 0 disables clipping.</summary>
    public double MaxGradNorm = 1.0;

    /// <summary>Passes over the training data.</summary>
    public int Epochs = 3;

    /// <summary>Sequences (windows) per optimizer step, and per perplexity batch.</summary>
    public int BatchSize = 16;

    /// <summary>
    /// Longest training sequence in tokens, BOS included (at most the model's <c>max_position_embeddings</c>). Longer
    /// plain texts are split into windows of this length; longer prompt/response pairs lose the end of their response.
    /// </summary>
    public int MaxSequenceLength = 128;

    /// <summary>
    /// Append the tokenizer's end-of-sequence token after each text (plain text) or response (prompt/response) so the
    /// model learns where to stop; generation stops there. Null (default): only for prompt/response training.
    /// </summary>
    public bool? AppendEndOfSequence;

    /// <summary>Optional validation data (the training columns), whose perplexity is measured before training and after every epoch.</summary>
    public IDataView? ValidationSet;

    /// <summary>
    /// With a <see cref="ValidationSet"/>: stop after this many epochs without a lower validation perplexity; 0 never
    /// stops early. The adapter values of the best epoch are always kept.
    /// </summary>
    public int EarlyStoppingPatience = 2;

    /// <summary>Seed of the mask and of the shuffling; null draws one from the <see cref="MLContext"/>'s seed.</summary>
    public int? Seed;

    /// <summary>TorchSharp intra-op threads (<c>torch.set_num_threads</c>, process-wide); 0 keeps the current setting.</summary>
    public int NumberOfThreads;

    /// <summary>
    /// <c>"cpu"</c>, <c>"cuda"</c> or <c>"cuda:N"</c>; null uses <see cref="MLContext.GpuDeviceId"/> when set, else the CPU.
    /// An unavailable GPU falls back to the CPU only when <see cref="MLContext.FallbackToCpu"/> is true.
    /// </summary>
    public string? Device;

    /// <summary>Batches used to calibrate <see cref="MaskType.Gradient"/> and <see cref="MaskType.Snip"/> masks (the first batches of epoch 1).</summary>
    public int CalibrationBatches = 8;

    /// <summary>Name of the trained adapter inside the transformer.</summary>
    public string AdapterName = "default";

    /// <summary>Receives progress after every step and every epoch.</summary>
    public IProgress<ShiraTextGenerationProgress>? Progress;

    /// <summary>Cancels training; <c>Fit</c> then throws <see cref="OperationCanceledException"/> and releases everything it built.</summary>
    public CancellationToken CancellationToken;

    /// <summary>
    /// How the trained transformer generates (its initial <see cref="ShiraTextGenerationTransformer.Generation"/>):
    /// greedy by default, at most 64 new tokens; set sampling, temperature, top-k/top-p, seed, stop tokens and stop strings here.
    /// </summary>
    public GenerationOptions Generation = new() { MaxNewTokens = 64 };

    /// <summary>True when training reads prompt/response pairs rather than plain text.</summary>
    internal bool IsPromptResponse => ResponseColumnName is not null;

    /// <summary>The column the trained transformer generates from.</summary>
    internal string InferencePromptColumn => PromptColumnName ?? TextColumnName;

    /// <summary>Whether sequences end with EOS.</summary>
    internal bool EndsWithEos => AppendEndOfSequence ?? IsPromptResponse;

    /// <summary>Checks every option; throws naming the first bad one.</summary>
    /// <exception cref="ArgumentException">An option is missing or out of range.</exception>
    internal void Validate()
    {
        OptionChecks.RequireName(TextColumnName, nameof(TextColumnName));
        OptionChecks.RequireName(OutputColumnName, nameof(OutputColumnName));
        OptionChecks.RequireName(AdapterName, nameof(AdapterName));
        if (PromptColumnName is not null)
            OptionChecks.RequireName(PromptColumnName, nameof(PromptColumnName));
        if (ResponseColumnName is not null)
        {
            OptionChecks.RequireName(ResponseColumnName, nameof(ResponseColumnName));
            if (PromptColumnName is null)
                throw new ArgumentException("ResponseColumnName needs a PromptColumnName: prompt/response training reads both columns.", nameof(PromptColumnName));
            if (PromptColumnName == ResponseColumnName)
                throw new ArgumentException($"PromptColumnName and ResponseColumnName are both '{PromptColumnName}'; they must be two columns.", nameof(ResponseColumnName));
        }
        if (BaseModel is null)
            throw new ArgumentNullException(nameof(BaseModel), "Choose a base model, e.g. ShiraDecoderBaseModel.Stories260K.");
        if (!Enum.IsDefined(Method))
            throw new ArgumentOutOfRangeException(nameof(Method), Method, "Unknown fine-tuning method.");
        if (Method == FineTuningMethod.HeadOnly)
            throw new ArgumentException("FineTuningMethod.HeadOnly applies to text classification only: a decoder has no separate head, so nothing would train. Use Shira, Lora or FullFineTuning.", nameof(Method));
        if (!Enum.IsDefined(MaskType))
            throw new ArgumentOutOfRangeException(nameof(MaskType), MaskType, "Unknown mask type.");
        _ = Budget();
        OptionChecks.RequireDevice(Device, nameof(Device));
        OptionChecks.RequireTargets(TargetModules, TargetModulesPattern, "q_proj", nameof(TargetModules));
        OptionChecks.RequirePositive(LearningRate, nameof(LearningRate));
        OptionChecks.RequireSchedule(WeightDecay, WarmupProportion, MaxGradNorm);
        OptionChecks.RequireLoop(Epochs, BatchSize, EarlyStoppingPatience, NumberOfThreads, CalibrationBatches);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxSequenceLength, 2, nameof(MaxSequenceLength));
        if (Generation is null)
            throw new ArgumentNullException(nameof(Generation), "Give the generation options used at Transform time (e.g. new GenerationOptions()).");
        Generation.Validate();
    }

    /// <summary>The per-matrix budget these options ask for.</summary>
    internal ShiraBudget Budget() => Rank is { } r ? ShiraBudget.FromRank(r) : ShiraBudget.FromSparsity(Sparsity);
}
