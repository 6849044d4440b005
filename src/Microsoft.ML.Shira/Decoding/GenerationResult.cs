namespace Microsoft.ML.Shira.Decoding;

/// <summary>The outcome of <see cref="TextGenerator.Generate(string, GenerationOptions?, Action{string}?, CancellationToken)"/>.</summary>
/// <param name="PromptIds">Ids of the prompt (with BOS when the tokenizer adds one).</param>
/// <param name="GeneratedIds">Ids generated after the prompt, including a final stop token.</param>
/// <param name="Text">Text of the generated ids (without special tokens, cut before a stop string).</param>
/// <param name="StopReason">Why generation ended.</param>
public sealed record GenerationResult(
    IReadOnlyList<int> PromptIds,
    IReadOnlyList<int> GeneratedIds,
    string Text,
    GenerationStopReason StopReason)
{
    /// <summary>Prompt ids followed by the generated ids.</summary>
    public IReadOnlyList<int> SequenceIds => PromptIds.Concat(GeneratedIds).ToArray();
}
