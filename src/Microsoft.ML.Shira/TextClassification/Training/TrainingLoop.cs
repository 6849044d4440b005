using System.Diagnostics;
using Microsoft.ML.Shira.Models.Bert;
using Microsoft.ML.Shira.Runtime;
using Microsoft.ML.Shira.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.TextClassification.Training;

/// <summary>
/// Fine-tunes the method's encoder parameters (SHiRA values, LoRA factors, all weights, or none) and the head with AdamW (two parameter groups with their own peak learning rates,
/// linear warm-up then linear decay), validates after every epoch, stops early and restores the best epoch.
/// </summary>
internal sealed class TrainingLoop
{
    private readonly ShiraTextClassificationOptions _options;
    private readonly BertModel _model;
    private readonly Linear _head;
    private readonly Device _device;
    private readonly MlContextLog _log;
    private readonly Stopwatch _clock;

    public TrainingLoop(ShiraTextClassificationOptions options, BertModel model, Linear head, Device device, MlContextLog log, Stopwatch clock)
    {
        _options = options;
        _model = model;
        _head = head;
        _device = device;
        _log = log;
        _clock = clock;
    }

    /// <summary>Trains; the epoch orders come from <paramref name="orders"/> (the first is the one calibration used).</summary>
    public void Run(IReadOnlyList<Parameter> adapterValues, ExampleBatches train, Func<int, int[]> orders, IReadOnlyList<ExampleBatch>? validation)
    {
        var token = _options.CancellationToken;
        var headParameters = _head.parameters().ToList();
        var all = adapterValues.Concat(headParameters).ToList();
        // Head-only training has no encoder group.
        var groupSpecs = new List<(IReadOnlyList<Parameter> Parameters, double Peak)> { (headParameters, _options.HeadLearningRate) };
        if (adapterValues.Count > 0)
            groupSpecs.Insert(0, (adapterValues, _options.LearningRate));
        using var optimizer = optim.AdamW(groupSpecs
            .Select(g => new AdamW.ParamGroup(g.Parameters, g.Peak, 0.9, 0.999, 1e-8, _options.WeightDecay, false, false))
            .ToArray());
        var groups = optimizer.ParamGroups.ToList();
        double[] peaks = groupSpecs.Select(g => g.Peak).ToArray();
        int totalSteps = _options.Epochs * train.Count;
        var schedule = new AdapterTrainingOptions { LearningRate = 1.0, WarmupSteps = (int)Math.Round(_options.WarmupProportion * totalSteps) };

        using var best = new BestEpoch();
        ValidationScore? bestScore = null;
        double? lastAccuracy = null;
        int step = 0;
        long rowsSeen = 0;
        var trainingClock = Stopwatch.StartNew();
        try
        {
            for (int epoch = 1; epoch <= _options.Epochs; epoch++)
            {
                _model.train();
                double lossSum = 0;
                foreach (var batch in train.Pass(orders(epoch)))
                {
                    token.ThrowIfCancellationRequested();
                    double factor = AdapterTrainingLoop.LearningRateAt(step, totalSteps, schedule);
                    for (int g = 0; g < groups.Count; g++)
                        groups[g].LearningRate = peaks[g] * factor;

                    double loss = OptimizerStep.Run(optimizer, all, _options.MaxGradNorm, () => ClassifierForward.Run(_model, _head, batch, _device).Loss);
                    if (double.IsNaN(loss) || double.IsInfinity(loss))
                        throw new InvalidOperationException($"The training loss became {loss} at step {step + 1}; lower LearningRate or HeadLearningRate.");
                    step++;
                    lossSum += loss * batch.Count;
                    rowsSeen += batch.Count;
                    Report(epoch, step, totalSteps, loss, lastAccuracy, rowsSeen, trainingClock, isEpochEnd: false);
                }

                double trainLoss = lossSum / train.Rows;
                if (validation is null)
                {
                    _log.Info($"Epoch {epoch}/{_options.Epochs}: training loss {trainLoss:F4}, {rowsSeen / trainingClock.Elapsed.TotalSeconds:F1} rows/s.");
                    Report(epoch, step, totalSteps, trainLoss, null, rowsSeen, trainingClock, isEpochEnd: true);
                    continue;
                }

                var score = ValidationScore.Measure(_model, _head, validation, _device, token);
                lastAccuracy = score.Accuracy;
                _log.Info($"Epoch {epoch}/{_options.Epochs}: training loss {trainLoss:F4}, validation accuracy {score.Accuracy:P2} (loss {score.Loss:F4}), {rowsSeen / trainingClock.Elapsed.TotalSeconds:F1} rows/s.");
                Report(epoch, step, totalSteps, trainLoss, score.Accuracy, rowsSeen, trainingClock, isEpochEnd: true);
                if (score.IsBetterThan(bestScore))
                {
                    best.Keep(epoch, all);
                    bestScore = score;
                }
                else if (best.ShouldStop(_options.EarlyStoppingPatience) && epoch < _options.Epochs)
                {
                    _log.Info($"Early stopping after epoch {epoch}: no better validation accuracy for {best.StaleEpochs} epoch(s).");
                    break;
                }
            }

            if (bestScore is { } kept && best.Restore())
                _log.Info($"Keeping epoch {best.Epoch} (validation accuracy {kept.Accuracy:P2}, loss {kept.Loss:F4}).");
        }
        finally
        {
            _model.eval();
        }
    }

    private void Report(int epoch, int step, int totalSteps, double loss, double? accuracy, long rows, Stopwatch trainingClock, bool isEpochEnd)
    {
        if (_options.Progress is not { } progress)
            return;
        double seconds = trainingClock.Elapsed.TotalSeconds;
        progress.Report(new ShiraTrainingProgress(epoch, _options.Epochs, step, totalSteps, loss, accuracy,
            seconds > 0 ? rows / seconds : 0, _clock.Elapsed, OptimizerStep.Remaining(trainingClock.Elapsed, step, totalSteps), isEpochEnd));
    }
}
