using Microsoft.ML.Shira.Decoding;
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
/// <para>Defaults of the shared options: <see cref="ShiraTrainerOptionsBase.TargetModules"/> every attention and MLP
/// projection of LLaMA (<c>q_proj</c> … <c>down_proj</c>); <see cref="ShiraTrainerOptionsBase.WarmupProportion"/> 0.05;
/// <see cref="ShiraTrainerOptionsBase.LearningRate"/> by method (<see cref="DefaultLearningRate"/>): SHiRA 1e-2 — the
/// paper's LLM recipe uses 5e-4 on 7B models, but a 1% mask of the tiny stories260K needs a larger step (a sweep over
/// 1e-3 … 3e-2 on TinyShakespeare, docs/evaluation.md) — LoRA 3e-3 (best of the same sweep), full fine-tuning 1e-3.
/// Early stopping compares validation perplexity.</para>
/// </remarks>
public sealed class ShiraTextGenerationOptions : ShiraTrainerOptionsBase
{
    /// <summary>Options with the generation defaults (LLaMA target modules, learning rate by method, warm-up 0.05).</summary>
    public ShiraTextGenerationOptions()
    {
        TargetModules = new List<string> { "q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj" };
        WarmupProportion = 0.05;
    }

    /// <summary>SHiRA 1e-2 (every mask); LoRA 3e-3; full fine-tuning 1e-3.</summary>
    public override double DefaultLearningRate(FineTuningMethod method, MaskType maskType) => method switch
    {
        FineTuningMethod.Lora => 3e-3,
        FineTuningMethod.FullFineTuning => 1e-3,
        _ => 1e-2,
    };

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

    /// <summary>The pretrained decoder to adapt; default the embedded stories260K.</summary>
    public ShiraDecoderBaseModel BaseModel = ShiraDecoderBaseModel.Stories260K;

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

    /// <summary>Receives progress after every step and every epoch.</summary>
    public IProgress<ShiraTextGenerationProgress>? Progress;

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
    internal override void Validate()
    {
        OptionChecks.RequireName(TextColumnName, nameof(TextColumnName));
        OptionChecks.RequireName(OutputColumnName, nameof(OutputColumnName));
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
        ValidateTraining(targetModuleExample: "q_proj");
        if (Method == FineTuningMethod.HeadOnly)
            throw new ArgumentException("FineTuningMethod.HeadOnly applies to text classification only: a decoder has no separate head, so nothing would train. Use Shira, Lora or FullFineTuning.", nameof(Method));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxSequenceLength, 2, nameof(MaxSequenceLength));
        if (Generation is null)
            throw new ArgumentNullException(nameof(Generation), "Give the generation options used at Transform time (e.g. new GenerationOptions()).");
        Generation.Validate();
    }
}
