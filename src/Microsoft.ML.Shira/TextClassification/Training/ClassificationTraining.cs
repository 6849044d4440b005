using Microsoft.ML.Shira.Models;
using Microsoft.ML.Shira.TextClassification.Data;
using Microsoft.ML.Shira.TextClassification.Schema;
using Microsoft.ML.Shira.Training;
using TorchSharp.Modules;

namespace Microsoft.ML.Shira.TextClassification.Training;

/// <summary>
/// Text classification as a <see cref="TrainingTask{TBatch}"/>: encoder → masked mean pooling → linear head, trained
/// with cross-entropy; the head (created here, after the run's seed is set) trains in its own group at
/// <see cref="ShiraTextClassificationOptions.HeadLearningRate"/>; validation accuracy decides the best epoch.
/// </summary>
internal sealed class ClassificationTraining : TrainingTask<ExampleBatch>, IDisposable
{
    private readonly ShiraTextClassificationOptions _options;
    private readonly ISentenceEncoder _model;
    private readonly Linear _head;
    private readonly Device _device;

    public ClassificationTraining(ShiraTextClassificationOptions options, ISentenceEncoder model, int classCount, Device device)
    {
        _options = options;
        _model = model;
        _device = device;
        _head = nn.Linear(model.HiddenSize, classCount);
        _head.to(device);
        ExtraGroups = [new ParameterGroup(_head.parameters().ToList(), options.HeadLearningRate)];
    }

    public override nn.Module Model => _model.Module;

    public override string ModelKind => "encoder";

    public override string PeftTaskType => "SEQ_CLS";

    public override IReadOnlyList<ParameterGroup> ExtraGroups { get; }

    public override string DescribeExtras => $" + head {_head.weight!.numel() + _head.bias!.numel():N0}";

    public override string DivergenceHint => "lower LearningRate or HeadLearningRate";

    public override Tensor Loss(ExampleBatch batch) => ClassifierForward.Run(_model, _head, batch, _device).Loss;

    public override long LossWeight(ExampleBatch batch) => batch.Count;

    public override long Work(ExampleBatch batch) => batch.Count;

    public override string Speed(double rowsPerSecond) => $"{rowsPerSecond:F1} rows/s";

    public override IValidationScore Validate(IReadOnlyList<ExampleBatch> batches, CancellationToken token) =>
        ClassificationScore.Measure(_model, _head, batches, _device, token);

    public override IValidationScore ScoreFrom(IReadOnlyList<double> components) => new ClassificationScore(components[0], components[1]);

    public override void Report(LoopProgress p) =>
        _options.Progress?.Report(new ShiraTextClassificationProgress(
            p.Epoch, p.Epochs, p.Step, p.TotalSteps, p.Loss, p.Validation, p.WorkPerSecond, p.Elapsed, p.EstimatedRemaining, p.IsEpochEnd));

    /// <summary>The trained head with the label's classes, copied to the CPU.</summary>
    public ShiraClassificationHead ExportHead(LabelInfo label)
    {
        using var scope = NewDisposeScope();
        float[] weight = _head.weight!.detach().to(ScalarType.Float32).cpu().data<float>().ToArray();
        float[] bias = _head.bias!.detach().to(ScalarType.Float32).cpu().data<float>().ToArray();
        return new ShiraClassificationHead(weight, bias, label.ClassNames, label.IsBinary) { LabelAnnotations = label.Annotations };
    }

    public void Dispose() => _head.Dispose();
}
