using Microsoft.ML.Shira.Decoding;
using Microsoft.ML.Shira.TextGeneration;

namespace Microsoft.ML.Shira;

public sealed partial class ShiraCatalog
{
    /// <summary>An estimator that fine-tunes a causal language model with a SHiRA adapter and generates text from prompts.</summary>
    /// <param name="options">Columns, base model, mask, budget, training and generation settings.</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    /// <example>
    /// <code>
    /// var model = mlContext.Shira().TextGeneration(textColumnName: "Text", epochs: 2).Fit(trainData);
    /// double perplexity = model.Perplexity(testData);
    /// var generated = model.Transform(prompts); // adds "GeneratedText"
    /// </code>
    /// </example>
    public ShiraTextGenerationEstimator TextGeneration(ShiraTextGenerationOptions options) => new(Context, options);

    /// <summary>
    /// An estimator that fine-tunes the embedded stories260K decoder with a SHiRA adapter (1% random mask on every LLaMA
    /// projection) on a plain-text column, then generates greedily from that column.
    /// </summary>
    /// <param name="textColumnName">Text column to learn from, and the prompt column at inference.</param>
    /// <param name="outputColumnName">Output column of the generated text.</param>
    /// <param name="epochs">Passes over the training data.</param>
    /// <param name="batchSize">Sequences per optimizer step.</param>
    /// <param name="maxSequenceLength">Longest training window in tokens; longer texts are split.</param>
    /// <param name="maxNewTokens">Most tokens generated per row.</param>
    /// <param name="validationSet">Optional validation data for per-epoch perplexity and early stopping.</param>
    public ShiraTextGenerationEstimator TextGeneration(
        string textColumnName = "Text",
        string outputColumnName = "GeneratedText",
        int epochs = 3,
        int batchSize = 16,
        int maxSequenceLength = 128,
        int maxNewTokens = 64,
        IDataView? validationSet = null) =>
        TextGeneration(new ShiraTextGenerationOptions
        {
            TextColumnName = textColumnName,
            OutputColumnName = outputColumnName,
            Epochs = epochs,
            BatchSize = batchSize,
            MaxSequenceLength = maxSequenceLength,
            ValidationSet = validationSet,
            Generation = new GenerationOptions { MaxNewTokens = maxNewTokens },
        });

    /// <summary>Trains a text generator directly (the estimator's <c>Fit</c>).</summary>
    /// <param name="trainData">Training data with the text (or prompt and response) columns.</param>
    /// <param name="options">Columns, base model, mask, budget, training and generation settings.</param>
    public ShiraTextGenerationTransformer Train(IDataView trainData, ShiraTextGenerationOptions options) =>
        TextGeneration(options).Fit(trainData);
}
