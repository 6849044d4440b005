using Microsoft.ML.Shira.Models;
using Microsoft.ML.Shira.TextClassification.Data;
using Microsoft.ML.Shira.Training;

namespace Microsoft.ML.Shira.TextClassification.Training;

/// <summary>Accuracy and mean loss on the validation set; higher accuracy wins, equal accuracy is broken by lower loss.</summary>
internal sealed record ClassificationScore(double Accuracy, double Loss) : IValidationScore
{
    public double Value => Accuracy;

    public IReadOnlyList<double> Components => [Accuracy, Loss];

    public string NoImprovement => "no better validation accuracy";

    public bool IsBetterThan(IValidationScore? best) =>
        best is not ClassificationScore o || Accuracy > o.Accuracy || (Accuracy == o.Accuracy && Loss < o.Loss);

    public string Describe() => $"validation accuracy {Accuracy:P2} (loss {Loss:F4})";

    public string DescribeKept() => $"validation accuracy {Accuracy:P2}, loss {Loss:F4}";

    /// <summary>Scores the model (eval mode, no gradients) on every validation batch.</summary>
    public static ClassificationScore Measure(ISentenceEncoder model, nn.Module<Tensor, Tensor> head, IReadOnlyList<ExampleBatch> batches, Device device, CancellationToken token)
    {
        model.Module.eval();
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
        return new ClassificationScore((double)correct / rows, lossSum / rows);
    }
}
