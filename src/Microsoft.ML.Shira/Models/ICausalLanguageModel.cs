namespace Microsoft.ML.Shira.Models;

/// <summary>
/// A decoder-only (causal) language model: token ids in, next-token logits out, with an optional key/value cache
/// for incremental decoding. Implemented by <see cref="Llama.LlamaForCausalLM"/> and <see cref="Gpt2.Gpt2LMHeadModel"/>;
/// other architectures implement it to reuse the text generator.
/// </summary>
internal interface ICausalLanguageModel
{
    /// <summary>Number of rows of the output logits (vocabulary size).</summary>
    long VocabularySize { get; }

    /// <summary>Longest sequence (prompt + generated tokens) the model was trained for.</summary>
    long MaxPositionEmbeddings { get; }

    /// <summary>Device that holds the parameters.</summary>
    Device Device { get; }

    /// <summary>The TorchSharp module that holds the parameters (for training, adapters and checkpoints).</summary>
    nn.Module Module { get; }

    /// <summary>Creates an empty key/value cache for <see cref="Forward"/>.</summary>
    IKeyValueCache CreateCache();

    /// <summary>Computes next-token logits.</summary>
    /// <param name="inputIds">Token ids, <c>[batch, sequence]</c>, int64. With a non-empty cache: only the new tokens.</param>
    /// <param name="attentionMask">
    /// Optional <c>[batch, past + sequence]</c> mask, 1 for real tokens and 0 for padding (left or right);
    /// it covers the cached tokens and the new ones. Null means every token is real.
    /// </param>
    /// <param name="cache">Optional cache from <see cref="CreateCache"/>; it is extended by the new tokens.</param>
    /// <param name="lastPositionOnly">
    /// Only compute logits for the last input position (saves the vocabulary projection elsewhere); with right padding
    /// that position may be a pad for the shorter rows.
    /// </param>
    /// <returns>Logits <c>[batch, sequence or 1, vocabulary]</c> in the model's dtype.</returns>
    Tensor Forward(Tensor inputIds, Tensor? attentionMask = null, IKeyValueCache? cache = null, bool lastPositionOnly = false);
}
