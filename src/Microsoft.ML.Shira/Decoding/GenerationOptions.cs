namespace Microsoft.ML.Shira.Decoding;

/// <summary>
/// How <see cref="TextGenerator"/> decodes. Defaults: greedy, 128 new tokens, stop at end-of-sequence, KV cache on.
/// With <see cref="DoSample"/>, logits are divided by <see cref="Temperature"/>, then filtered by <see cref="TopK"/> and
/// <see cref="TopP"/> (in that order, as in Hugging Face), and a token is drawn with a <c>torch.Generator</c> seeded by
/// <see cref="Seed"/>.
/// </summary>
public sealed record GenerationOptions
{
    /// <summary>Most tokens to generate (at least 1). Default 128.</summary>
    public int MaxNewTokens { get; init; } = 128;

    /// <summary>Sample instead of taking the most likely token. Default false (greedy).</summary>
    public bool DoSample { get; init; }

    /// <summary>Sampling temperature (&gt; 0); lower is more conservative. Default 1.</summary>
    public double Temperature { get; init; } = 1.0;

    /// <summary>Sample only among the <c>TopK</c> most likely tokens (ties kept); 0 disables. Default 50 (as in Hugging Face).</summary>
    public int TopK { get; init; } = 50;

    /// <summary>Nucleus sampling: keep the most likely tokens whose probabilities sum to at least <c>TopP</c>, in (0, 1]; 1 disables. Default 1.</summary>
    public double TopP { get; init; } = 1.0;

    /// <summary>Seed of the sampling generator; the same seed, prompt and options give the same tokens. Null draws a random seed.</summary>
    public ulong? Seed { get; init; }

    /// <summary>Extra token ids that end generation (the stop token is kept in the ids, not in the text).</summary>
    public IReadOnlyList<int> StopTokenIds { get; init; } = Array.Empty<int>();

    /// <summary>Also stop at the generator's end-of-sequence ids (normally the tokenizer's EOS). Default true.</summary>
    public bool StopAtEndOfSequence { get; init; } = true;

    /// <summary>Texts that end generation as soon as they appear in the generated text; the text is cut before them.</summary>
    public IReadOnlyList<string> StopStrings { get; init; } = Array.Empty<string>();

    /// <summary>Reuse keys and values of earlier positions (fast); false recomputes the whole sequence at every step. Default true.</summary>
    public bool UseCache { get; init; } = true;

    /// <summary>Checks every value.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names the property.</exception>
    public void Validate()
    {
        if (MaxNewTokens < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxNewTokens), MaxNewTokens, "Generate at least one token.");
        if (!(Temperature > 0) || !double.IsFinite(Temperature))
            throw new ArgumentOutOfRangeException(nameof(Temperature), Temperature, "Temperature must be a finite number greater than 0 (use DoSample = false for greedy decoding).");
        if (TopK < 0)
            throw new ArgumentOutOfRangeException(nameof(TopK), TopK, "TopK must be 0 (off) or positive.");
        if (!(TopP > 0 && TopP <= 1))
            throw new ArgumentOutOfRangeException(nameof(TopP), TopP, "TopP must be in (0, 1].");
        if (StopTokenIds is null || StopTokenIds.Any(id => id < 0))
            throw new ArgumentException("StopTokenIds must be a list of non-negative ids.", nameof(StopTokenIds));
        if (StopStrings is null || StopStrings.Any(string.IsNullOrEmpty))
            throw new ArgumentException("StopStrings must be a list of non-empty strings.", nameof(StopStrings));
    }
}
