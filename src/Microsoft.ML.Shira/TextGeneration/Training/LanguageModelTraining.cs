using Microsoft.ML.Shira.Models;
using Microsoft.ML.Shira.Runtime;
using Microsoft.ML.Shira.TextGeneration.Data;
using Microsoft.ML.Shira.Training;

namespace Microsoft.ML.Shira.TextGeneration.Training;

/// <summary>
/// Causal language modeling as a <see cref="TrainingTask{TBatch}"/>: next-token cross-entropy over the target tokens
/// (all of a plain text, the response of a prompt/response pair); validation perplexity decides the best epoch and is
/// compared with the base model's, measured before training.
/// </summary>
internal sealed class LanguageModelTraining : TrainingTask<SequenceBatch>
{
    private readonly ShiraTextGenerationOptions _options;
    private readonly ICausalLanguageModel _model;
    private readonly Device _device;
    private readonly MlContextLog _log;
    private double? _basePerplexity;

    public LanguageModelTraining(ShiraTextGenerationOptions options, ICausalLanguageModel model, Device device, MlContextLog log)
    {
        _options = options;
        _model = model;
        _device = device;
        _log = log;
    }

    public override nn.Module Model => _model.Module;

    public override string ModelKind => "model";

    public override string PeftTaskType => "CAUSAL_LM";

    public override string DivergenceHint => "lower LearningRate";

    public override Tensor Loss(SequenceBatch batch) => CausalLMLoss.Mean(_model, batch, _device);

    public override long LossWeight(SequenceBatch batch) => batch.Targets;

    public override long Work(SequenceBatch batch) => batch.Tokens;

    public override string Speed(double tokensPerSecond) => $"{tokensPerSecond:N0} tokens/s";

    public override string DescribeTrainingLoss(double loss, bool validated) =>
        validated ? $"training loss {loss:F4}" : $"training loss {loss:F4} (perplexity {Math.Exp(loss):F2})";

    public override void BeforeTraining(IReadOnlyList<SequenceBatch>? validation, CancellationToken token)
    {
        if (validation is null)
            return;
        Model.eval();
        _basePerplexity = Perplexity(validation, token);
        _log.Info($"Validation perplexity of the base model: {_basePerplexity:F3} ({validation.Sum(b => b.Rows)} sequences).");
    }

    public override IValidationScore Validate(IReadOnlyList<SequenceBatch> batches, CancellationToken token) =>
        new PerplexityScore(Perplexity(batches, token), _basePerplexity);

    public override IValidationScore ScoreFrom(IReadOnlyList<double> components) => new PerplexityScore(components[0], _basePerplexity);

    public override void Report(LoopProgress p) =>
        _options.Progress?.Report(new ShiraTextGenerationProgress(
            p.Epoch, p.Epochs, p.Step, p.TotalSteps, p.Loss, p.Validation, p.WorkPerSecond, p.Elapsed, p.EstimatedRemaining, p.IsEpochEnd));

    private double Perplexity(IReadOnlyList<SequenceBatch> batches, CancellationToken token) =>
        PerplexityMeter.FromMeanLoss(PerplexityMeter.MeanLoss(batches, b => PerplexityMeter.BatchLoss(_model, b, _device), token));
}
