using Microsoft.ML.Shira.Sweeps;
using Microsoft.ML.Shira.TextClassification;
using Microsoft.ML.Shira.TextGeneration;

namespace Microsoft.ML.Shira;

public sealed partial class ShiraCatalog
{
    /// <summary>A hyperparameter sweep over text-classifier fine-tuning, starting from <paramref name="options"/>.</summary>
    /// <param name="trainData">Training rows (a fraction is held out for validation unless validation data is set).</param>
    /// <param name="options">The settings every trial starts from; the search space overrides some of them.</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public ShiraSweepExperiment CreateSweep(IDataView trainData, ShiraTextClassificationOptions options) => new(Context, trainData, options);

    /// <summary>A hyperparameter sweep over text-generator fine-tuning (metric: validation perplexity).</summary>
    /// <param name="trainData">Training rows (a fraction is held out for validation unless validation data is set).</param>
    /// <param name="options">The settings every trial starts from; the search space overrides some of them.</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public ShiraSweepExperiment CreateSweep(IDataView trainData, ShiraTextGenerationOptions options) => new(Context, trainData, options);
}
