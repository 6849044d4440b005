using Microsoft.ML.Shira.Models.Bert;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.TextClassification.Training;

/// <summary>Accuracy and mean loss on the validation set.</summary>
internal readonly record struct ValidationScore(double Accuracy, double Loss)
{
    /// <summary>Higher accuracy wins; equal accuracy is broken by lower loss.</summary>
    public bool IsBetterThan(ValidationScore? other) =>
        other is not { } o || Accuracy > o.Accuracy || (Accuracy == o.Accuracy && Loss < o.Loss);

    /// <summary>Scores the model (eval mode, no gradients) on every validation batch.</summary>
    public static ValidationScore Measure(BertModel model, nn.Module<Tensor, Tensor> head, IReadOnlyList<ExampleBatch> batches, Device device, CancellationToken token)
    {
        model.eval();
        long correct = 0, rows = 0;
        double lossSum = 0;
        using var noGrad = no_grad();
        foreach (var batch in batches)
        {
            token.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var (logits, loss) = ClassifierForward.Run(model, head, batch, device);
            using var labels = tensor(batch.Labels, device: device);
            correct += logits.argmax(1).eq(labels).sum().item<long>();
            lossSum += loss.item<float>() * batch.Count;
            rows += batch.Count;
        }
        return new ValidationScore((double)correct / rows, lossSum / rows);
    }
}
