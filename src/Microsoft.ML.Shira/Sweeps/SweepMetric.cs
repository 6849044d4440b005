namespace Microsoft.ML.Shira.Sweeps;

/// <summary>What a sweep optimizes, measured on its validation data.</summary>
public enum SweepMetric
{
    /// <summary>Classification accuracy (micro accuracy for multiclass); higher is better.</summary>
    Accuracy,

    /// <summary>Mean over classes of the F1 score; higher is better.</summary>
    MacroF1,

    /// <summary>Classification log-loss; lower is better.</summary>
    LogLoss,

    /// <summary>Area under the ROC curve (binary classification only); higher is better.</summary>
    Auc,

    /// <summary>Text generation: validation perplexity of the trained model; lower is better.</summary>
    Perplexity,
}

/// <summary>Directions of <see cref="SweepMetric"/>s.</summary>
public static class SweepMetricExtensions
{
    /// <summary>True for metrics where a larger value is better.</summary>
    public static bool IsMaximized(this SweepMetric metric) => metric is SweepMetric.Accuracy or SweepMetric.MacroF1 or SweepMetric.Auc;
}
