using Microsoft.ML.Data;

namespace Microsoft.ML.Shira.Evaluation.Runs;

/// <summary>Macro-averaged F1 from the confusion matrix of ML.NET's multiclass evaluator (a class with no predictions and no rows counts as F1 = 0).</summary>
internal static class MacroF1
{
    public static double From(MulticlassClassificationMetrics metrics)
    {
        var matrix = metrics.ConfusionMatrix;
        int classes = matrix.NumberOfClasses;
        double sum = 0;
        for (int c = 0; c < classes; c++)
        {
            double precision = Finite(matrix.PerClassPrecision[c]), recall = Finite(matrix.PerClassRecall[c]);
            sum += precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0;
        }
        return sum / classes;
    }

    private static double Finite(double value) => double.IsFinite(value) ? value : 0;
}
