using Microsoft.ML.Shira.Tasks;
using Microsoft.ML.Shira.TextGeneration;

namespace Microsoft.ML.Shira.Sweeps;

/// <summary>Trains a text generator with the trial's options and scores its validation perplexity.</summary>
internal sealed class GenerationTrialWork(
    MLContext context, IDataView train, IDataView validation, ShiraTextGenerationOptions options, ShiraSearchSpace space, int seed)
    : SweepTrialWork(context, space, SweepMetric.Perplexity, seed)
{
    private protected override DataViewSchema InputSchema => train.Schema;

    private protected override (ShiraTransformer Model, double Metric) TrainAndScore(SweepTrial trial, Action<long> trainable, CancellationToken cancellationToken) =>
        FitAndScore(options, trial, trainable, cancellationToken,
            trialOptions => new ShiraTextGenerationEstimator(Context, trialOptions).Fit(train),
            model => model.Perplexity(validation, cancellationToken));
}
