using Microsoft.ML.Shira.Models;
using Microsoft.ML.Shira.TextGeneration.Training;
using Microsoft.ML.Shira.Runtime;

namespace Microsoft.ML.Shira.TextGeneration.Data;

/// <summary>
/// Next-token cross-entropy of a batch: the logits at position <c>t−1</c> against the label at position <c>t</c>,
/// summed over target positions only (context and padding carry <see cref="SequenceBatch.IgnoreIndex"/>). Right padding
/// needs no attention mask: under causal attention a real token never sees the padding that follows it.
/// </summary>
internal static class CausalLMLoss
{
    /// <summary>The summed loss (nats) of the batch's target tokens; a scalar in the caller's dispose scope.</summary>
    public static Tensor Sum(ICausalLanguageModel model, SequenceBatch batch, Device device)
    {
        var (ids, labels) = batch.ToTensors(device);
        var logits = model.Forward(ids);
        long vocabulary = logits.shape[2];
        var predicted = logits.narrow(1, 0, batch.Length - 1).reshape(-1, vocabulary).to(ScalarType.Float32);
        var targets = labels.narrow(1, 1, batch.Length - 1).reshape(-1);
        return nn.functional.cross_entropy(predicted, targets, ignore_index: SequenceBatch.IgnoreIndex, reduction: nn.Reduction.Sum);
    }

    /// <summary>The mean loss per target token of the batch.</summary>
    public static Tensor Mean(ICausalLanguageModel model, SequenceBatch batch, Device device) => Sum(model, batch, device).DividedBy(batch.Targets);
}
