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

    private protected override ShiraTextGenerationTransformer Train(IDataView input) => ShiraGeneratorTrainer.Train(Context, _options, input);

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
