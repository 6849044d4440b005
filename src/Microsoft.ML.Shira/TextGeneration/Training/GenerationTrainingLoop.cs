using System.Diagnostics;
using Microsoft.ML.Shira.Models;
using Microsoft.ML.Shira.Runtime;
using Microsoft.ML.Shira.TextClassification.Training;
using Microsoft.ML.Shira.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.TextGeneration.Training;

/// <summary>
/// Fine-tunes the method's parameters (SHiRA values, LoRA factors or every weight) with AdamW on the next-token loss
/// (linear warm-up then linear decay), measures the validation perplexity after every epoch, stops early and restores
/// the best epoch's values.
/// </summary>
internal sealed class GenerationTrainingLoop
{
    private readonly ShiraTextGenerationOptions _options;
    private readonly ICausalLanguageModel _model;
    private readonly Device _device;
    private readonly MlContextLog _log;
    private readonly Stopwatch _clock;

    public GenerationTrainingLoop(ShiraTextGenerationOptions options, ICausalLanguageModel model, Device device, MlContextLog log, Stopwatch clock)
    {
        _options = options;
        _model = model;
        _device = device;
        _log = log;
        _clock = clock;
    }

    /// <summary>Trains; the epoch orders come from <paramref name="orders"/> (the first is the one calibration used).</summary>
    /// <param name="values">The parameters the fine-tuning method trains (the only trainable ones).</param>
    /// <param name="train">Training batches.</param>
    /// <param name="orders">Shuffled order of each epoch.</param>
    /// <param name="validation">Validation batches, or null.</param>
    /// <param name="baseValidationPerplexity">Perplexity of the base model on the validation batches (for the log).</param>
    public void Run(IReadOnlyList<Parameter> values, SequenceBatches train, Func<int, int[]> orders, IReadOnlyList<SequenceBatch>? validation, double? baseValidationPerplexity)
    {
        var token = _options.CancellationToken;
        var module = _model.Module;
        using var optimizer = optim.AdamW(values, _options.LearningRate, 0.9, 0.999, 1e-8, _options.WeightDecay);
        int totalSteps = _options.Epochs * train.Count;
        var schedule = new AdapterTrainingOptions { LearningRate = _options.LearningRate, WarmupSteps = (int)Math.Round(_options.WarmupProportion * totalSteps) };

        using var best = new BestEpoch();
        double? bestPerplexity = null, lastPerplexity = null;
        int step = 0;
        long tokensSeen = 0;
        var trainingClock = Stopwatch.StartNew();
        try
        {
            for (int epoch = 1; epoch <= _options.Epochs; epoch++)
            {
                module.train();
                double lossSum = 0;
                long targets = 0;
                foreach (var batch in train.Pass(orders(epoch)))
                {
                    token.ThrowIfCancellationRequested();
                    foreach (var group in optimizer.ParamGroups)
                        group.LearningRate = AdapterTrainingLoop.LearningRateAt(step, totalSteps, schedule);

                    double loss = OptimizerStep.Run(optimizer, values, _options.MaxGradNorm, () => CausalLMLoss.Mean(_model, batch, _device));
                    if (double.IsNaN(loss) || double.IsInfinity(loss))
                        throw new InvalidOperationException($"The training loss became {loss} at step {step + 1}; lower LearningRate.");
                    step++;
                    lossSum += loss * batch.Targets;
                    targets += batch.Targets;
                    tokensSeen += batch.Tokens;
                    Report(epoch, step, totalSteps, loss, lastPerplexity, tokensSeen, trainingClock, isEpochEnd: false);
                }

                double trainLoss = lossSum / targets;
                string speed = $"{tokensSeen / trainingClock.Elapsed.TotalSeconds:N0} tokens/s";
                if (validation is null)
                {
                    _log.Info($"Epoch {epoch}/{_options.Epochs}: training loss {trainLoss:F4} (perplexity {Math.Exp(trainLoss):F2}), {speed}.");
                    Report(epoch, step, totalSteps, trainLoss, null, tokensSeen, trainingClock, isEpochEnd: true);
                    continue;
                }

                module.eval();
                double perplexity = PerplexityMeter.FromMeanLoss(PerplexityMeter.MeanLoss(_model, validation, _device, token));
                lastPerplexity = perplexity;
                _log.Info($"Epoch {epoch}/{_options.Epochs}: training loss {trainLoss:F4}, validation perplexity {perplexity:F3}" +
                    (baseValidationPerplexity is { } b ? $" (base model {b:F3})" : "") + $", {speed}.");
                Report(epoch, step, totalSteps, trainLoss, perplexity, tokensSeen, trainingClock, isEpochEnd: true);
                if (bestPerplexity is null || perplexity < bestPerplexity)
                {
                    best.Keep(epoch, values);
                    bestPerplexity = perplexity;
                }
                else if (best.ShouldStop(_options.EarlyStoppingPatience) && epoch < _options.Epochs)
                {
                    _log.Info($"Early stopping after epoch {epoch}: no lower validation perplexity for {best.StaleEpochs} epoch(s).");
                    break;
                }
            }

            if (bestPerplexity is { } kept && best.Restore())
                _log.Info($"Keeping epoch {best.Epoch} (validation perplexity {kept:F3}).");
        }
        finally
        {
            module.eval();
        }
    }

    private void Report(int epoch, int step, int totalSteps, double loss, double? perplexity, long tokens, Stopwatch trainingClock, bool isEpochEnd)
    {
        if (_options.Progress is not { } progress)
            return;
        double seconds = trainingClock.Elapsed.TotalSeconds;
        progress.Report(new ShiraTextGenerationProgress(epoch, _options.Epochs, step, totalSteps, loss, perplexity,
            seconds > 0 ? tokens / seconds : 0, _clock.Elapsed, OptimizerStep.Remaining(trainingClock.Elapsed, step, totalSteps), isEpochEnd));
    }
}
