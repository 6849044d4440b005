namespace Microsoft.ML.Shira.Evaluation.Generation;

/// <summary>
/// Held-out perplexity of one model state on both test corpora: the base model, one adapter alone, or the fused pair.
/// </summary>
/// <param name="Method">shira or lora (base for the base model).</param>
/// <param name="Seed">Training seed.</param>
/// <param name="State">base, shakespeare, tinystories or fused.</param>
/// <param name="ShakespearePerplexity">Perplexity on the held-out TinyShakespeare speeches.</param>
/// <param name="TinyStoriesPerplexity">Perplexity on the held-out TinyStories paragraphs.</param>
/// <param name="TrainableParameters">Trainable values of the adapter (0 for base and fused rows).</param>
/// <param name="TrainSeconds">Training time of the adapter (0 for base and fused rows).</param>
/// <param name="ValidationPerplexity">Validation perplexity of the kept epoch on the adapter's own corpus (NaN for base and fused rows).</param>
internal sealed record GenerationRow(string Method, int Seed, string State, double ShakespearePerplexity, double TinyStoriesPerplexity, long TrainableParameters, double TrainSeconds, double ValidationPerplexity);
