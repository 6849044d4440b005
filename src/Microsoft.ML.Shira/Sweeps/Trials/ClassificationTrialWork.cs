using Microsoft.ML.Data;
using Microsoft.ML.Shira.Tasks;
using Microsoft.ML.Shira.TextClassification;

namespace Microsoft.ML.Shira.Sweeps;

/// <summary>Trains a text classifier with the trial's options and scores it on the validation data.</summary>
internal sealed class ClassificationTrialWork(
    MLContext context, IDataView train, IDataView validation, ShiraTextClassificationOptions options, ShiraSearchSpace space, SweepMetric metric, int seed)
    : SweepTrialWork(context, space, metric, seed)
{
    private protected override DataViewSchema InputSchema => train.Schema;

    private protected override (ShiraTransformer Model, double Metric) TrainAndScore(SweepTrial trial, Action<long> trainable, CancellationToken cancellationToken) =>
        FitAndScore(options, trial, trainable, cancellationToken,
            trialOptions => new ShiraTextClassificationEstimator(Context, trialOptions).Fit(train),
            model => ClassificationMetrics.Score(Context, model, validation, Metric));
}

/// <summary>The classification metrics of <see cref="SweepMetric"/>, from ML.NET's evaluators.</summary>
internal static class ClassificationMetrics
{
    public static bool IsBinary(IDataView data, string labelColumnName) =>
        data.Schema.GetColumnOrNull(labelColumnName)?.Type is BooleanDataViewType;

    public static void Check(SweepMetric metric, bool isBinary)
    {
        if (metric == SweepMetric.Perplexity)
            throw new ArgumentException("Perplexity is a text-generation metric; use Accuracy, MacroF1, LogLoss or Auc for classification.", nameof(metric));
        if (metric == SweepMetric.Auc && !isBinary)
            throw new ArgumentException("AUC needs a binary task (a Boolean label column); use Accuracy, MacroF1 or LogLoss for multiclass labels.", nameof(metric));
    }

    public static double Score(MLContext context, ShiraTextClassificationTransformer model, IDataView validation, SweepMetric metric)
    {
        var scored = model.Transform(validation);
        if (IsBinary(validation, model.LabelColumnName))
        {
            var binary = context.BinaryClassification.Evaluate(scored, model.LabelColumnName, model.ScoreColumnName, model.ProbabilityColumnName, model.PredictedLabelColumnName);
            return metric switch
            {
                SweepMetric.Accuracy => binary.Accuracy,
                SweepMetric.LogLoss => binary.LogLoss,
                SweepMetric.Auc => binary.AreaUnderRocCurve,
                SweepMetric.MacroF1 => MacroF1(binary.ConfusionMatrix),
                _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, "Not a classification metric."),
            };
        }
        var multiclass = context.MulticlassClassification.Evaluate(scored, model.LabelColumnName, model.ScoreColumnName, model.PredictedLabelColumnName);
        return metric switch
        {
            SweepMetric.Accuracy => multiclass.MicroAccuracy,
            SweepMetric.LogLoss => multiclass.LogLoss,
            SweepMetric.MacroF1 => MacroF1(multiclass.ConfusionMatrix),
            _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, "Not a multiclass classification metric."),
        };
    }

    /// <summary>Mean over classes of 2PR/(P+R) (0 for a class never predicted and never present).</summary>
    internal static double MacroF1(ConfusionMatrix matrix) =>
        matrix.PerClassPrecision.Zip(matrix.PerClassRecall, (p, r) => p + r > 0 ? 2 * p * r / (p + r) : 0).Average();
}
