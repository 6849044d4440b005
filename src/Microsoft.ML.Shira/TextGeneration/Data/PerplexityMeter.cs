using Microsoft.ML.Shira.Models;
using Microsoft.ML.Shira.TextGeneration.Training;

namespace Microsoft.ML.Shira.TextGeneration.Data;

/// <summary>Perplexity = exp(mean next-token cross-entropy over every target token of a data set).</summary>
internal static class PerplexityMeter
{
    /// <summary>Mean loss (nats per target token) of <paramref name="batches"/>, each summed by <paramref name="batchLoss"/>.</summary>
    public static double MeanLoss(IEnumerable<SequenceBatch> batches, Func<SequenceBatch, double> batchLoss, CancellationToken token)
    {
        double sum = 0;
        long targets = 0;
        foreach (var batch in batches)
        {
            token.ThrowIfCancellationRequested();
            sum += batchLoss(batch);
            targets += batch.Targets;
        }
        return targets == 0 ? throw new InvalidOperationException("No target token to measure perplexity on.") : sum / targets;
    }

    /// <summary>The summed loss of one batch (no gradients).</summary>
    public static double BatchLoss(ICausalLanguageModel model, SequenceBatch batch, Device device)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        return CausalLMLoss.Sum(model, batch, device).to(ScalarType.Float64).item<double>();
    }

    /// <summary>exp(mean loss).</summary>
    public static double FromMeanLoss(double meanLoss) => Math.Exp(meanLoss);
}
