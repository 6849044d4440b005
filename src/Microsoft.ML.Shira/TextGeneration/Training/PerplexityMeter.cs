using Microsoft.ML.Shira.Models;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.TextGeneration.Training;

/// <summary>Perplexity = exp(mean next-token cross-entropy over every target token of a data set).</summary>
internal static class PerplexityMeter
{
    /// <summary>Mean loss (nats per target token) of <paramref name="batches"/>, without gradients; the model's mode is not changed.</summary>
    public static double MeanLoss(ICausalLanguageModel model, IEnumerable<SequenceBatch> batches, Device device, CancellationToken token)
    {
        double sum = 0;
        long targets = 0;
        using var noGrad = no_grad();
        foreach (var batch in batches)
        {
            token.ThrowIfCancellationRequested();
            sum += BatchLoss(model, batch, device);
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
