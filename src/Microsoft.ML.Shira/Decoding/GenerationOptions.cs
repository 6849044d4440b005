namespace Microsoft.ML.Shira.Decoding;

/// <summary>
/// How <see cref="TextGenerator"/> decodes. Defaults: greedy, 128 new tokens, stop at end-of-sequence, KV cache on.
/// With <see cref="DoSample"/>, logits are divided by <see cref="Temperature"/>, then filtered by <see cref="TopK"/> and
/// <see cref="TopP"/> (in that order, as in Hugging Face), and a token is drawn with a <c>torch.Generator</c> seeded by
/// <see cref="Seed"/>. Settings are public fields, as in ML.NET's options classes; a record, so <c>options with { … }</c> makes a
/// changed copy.
/// </summary>
public sealed record GenerationOptions
{
    /// <summary>Most tokens to generate (at least 1). Default 128.</summary>
    public int MaxNewTokens = 128;

    /// <summary>Sample instead of taking the most likely token. Default false (greedy).</summary>
    public bool DoSample;

    /// <summary>Sampling temperature (&gt; 0); lower is more conservative. Default 1.</summary>
    public double Temperature = 1.0;

    /// <summary>Sample only among the <c>TopK</c> most likely tokens (ties kept); 0 disables. Default 50 (as in Hugging Face).</summary>
    public int TopK = 50;

    /// <summary>Nucleus sampling: keep the most likely tokens whose probabilities sum to at least <c>TopP</c>, in (0, 1]; 1 disables. Default 1.</summary>
    public double TopP = 1.0;

    /// <summary>Seed of the sampling generator; the same seed, prompt and options give the same tokens. Null draws a random seed.</summary>
    public ulong? Seed;

    /// <summary>Extra token ids that end generation (the stop token is kept in the ids, not in the text).</summary>
    public IList<int> StopTokenIds = new List<int>();

    /// <summary>Also stop at the generator's end-of-sequence ids (normally the tokenizer's EOS). Default true.</summary>
    public bool StopAtEndOfSequence = true;

    /// <summary>Texts that end generation as soon as they appear in the generated text; the text is cut before them.</summary>
    public IList<string> StopStrings = new List<string>();

    /// <summary>Reuse keys and values of earlier positions (fast); false recomputes the whole sequence at every step. Default true.</summary>
    public bool UseCache = true;

    /// <summary>True when every setting is equal, the stop lists element by element.</summary>
    public bool Equals(GenerationOptions? other) =>
        other is not null && MaxNewTokens == other.MaxNewTokens && DoSample == other.DoSample && Temperature.Equals(other.Temperature)
        && TopK == other.TopK && TopP.Equals(other.TopP) && Seed == other.Seed && StopAtEndOfSequence == other.StopAtEndOfSequence
        && UseCache == other.UseCache && SameItems(StopTokenIds, other.StopTokenIds) && SameItems(StopStrings, other.StopStrings);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(MaxNewTokens, DoSample, Temperature, TopK, TopP, Seed, StopAtEndOfSequence, UseCache);

    /// <summary>A copy whose lists are copies too, so later changes to either do not reach the other.</summary>
    internal GenerationOptions Copy() => this with { StopTokenIds = StopTokenIds?.ToList()!, StopStrings = StopStrings?.ToList()! };

    private static bool SameItems<T>(IList<T>? a, IList<T>? b) => a is null || b is null ? ReferenceEquals(a, b) : a.SequenceEqual(b);

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
