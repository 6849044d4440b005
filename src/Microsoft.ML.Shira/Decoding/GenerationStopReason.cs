namespace Microsoft.ML.Shira.Decoding;

/// <summary>Why generation ended.</summary>
public enum GenerationStopReason
{
    /// <summary><see cref="GenerationOptions.MaxNewTokens"/> tokens were generated.</summary>
    MaxNewTokens,

    /// <summary>A stop token id (or end-of-sequence id) was generated.</summary>
    StopToken,

    /// <summary>A stop string appeared in the text.</summary>
    StopString,

    /// <summary>The sequence reached the model's <c>max_position_embeddings</c>.</summary>
    MaxLength,
}
