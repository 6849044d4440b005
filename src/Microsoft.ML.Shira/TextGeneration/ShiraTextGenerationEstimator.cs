using Microsoft.ML.Shira.TextGeneration.Schema;
using Microsoft.ML.Shira.TextGeneration.Training;

namespace Microsoft.ML.Shira.TextGeneration;

/// <summary>
/// Fine-tunes a pretrained causal language model with a SHiRA adapter on a text column (or prompt/response columns)
/// and generates text from prompts; create it with <c>mlContext.Shira().TextGeneration(...)</c>. The columns must be strings.
/// </summary>
public sealed class ShiraTextGenerationEstimator : ShiraEstimator<ShiraTextGenerationTransformer>
{
    private readonly ShiraTextGenerationOptions _options;

    internal ShiraTextGenerationEstimator(MLContext context, ShiraTextGenerationOptions options)
        : base(context, options)
    {
        _options = options;
    }

    /// <summary>
    /// Trains on <paramref name="input"/>: tokenizes it (BOS first in every sequence), chooses the trainable entries
    /// (calibrating Gradient/SNIP masks) or prepares the baseline method, trains only the method's parameters with
    /// AdamW on the next-token loss, measures validation perplexity and stops early when a validation set is given,
    /// keeping the best epoch.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has the wrong type, or MaxSequenceLength exceeds the model's positions.</exception>
    /// <exception cref="InvalidOperationException">No row has text to learn from, or the loss diverged.</exception>
    /// <exception cref="OperationCanceledException">The options' cancellation token was cancelled; nothing is kept.</exception>
    public override ShiraTextGenerationTransformer Fit(IDataView input) => ShiraGeneratorTrainer.Train(Context, _options, input);

    /// <summary>The input columns plus the generated-text column; checks the training and prompt columns.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has the wrong type.</exception>
    public override SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var names = GenerationColumns.From(_options);
        GenerationInputColumns.Require(inputSchema, names);
        return GenerationOutputColumns.Shape(inputSchema, names);
    }
}
