using System.Diagnostics;
using Microsoft.ML.Shira.Adapters;
using Microsoft.ML.Shira.Adapters.Injection;
using Microsoft.ML.Shira.BaseModels;
using Microsoft.ML.Shira.Runtime;
using Microsoft.ML.Shira.TextGeneration.Inference;
using Microsoft.ML.Shira.TextGeneration.Schema;
using Microsoft.ML.Shira.Training;
using Microsoft.ML.Shira.Training.Methods;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.TextGeneration.Training;

/// <summary>
/// Fit of <see cref="ShiraTextGenerationEstimator"/>: checks the data, loads the base decoder, tokenizes, chooses the
/// fine-tuning method (for SHiRA: chooses the mask, calibrating it if needed, and injects), trains, and builds the transformer. Nothing is returned half-built:
/// on any error or cancellation every tensor and model created here is released.
/// </summary>
internal static class ShiraGeneratorTrainer
{
    public const string LogSource = "ShiraTextGeneration";

    public static ShiraTextGenerationTransformer Train(MLContext context, ShiraTextGenerationOptions options, IDataView trainData)
    {
        ArgumentNullException.ThrowIfNull(trainData);
        options.Validate();
        var token = options.CancellationToken;
        token.ThrowIfCancellationRequested();
        var names = GenerationColumnNames.From(options);
        GenerationInputColumns.RequireTraining(trainData.Schema, names);
        if (options.ValidationSet is not null)
            GenerationInputColumns.RequireTraining(options.ValidationSet.Schema, names);

        using var run = TrainingRun.Start(context, options, LogSource);
        return run.OnBaseModel(options.BaseModel.Load(), options.AdapterName,
            (decoder, handOver) => TrainOn(context, options, names, run.Seed, run.Device, decoder, trainData, run.Log, run.Clock, handOver));
    }

    private static SequenceBuilder CreateSequences(ShiraTextGenerationOptions options, PretrainedDecoder decoder)
    {
        long positions = decoder.Model.MaxPositionEmbeddings;
        if (options.MaxSequenceLength > positions)
            throw new ArgumentOutOfRangeException(nameof(options.MaxSequenceLength), options.MaxSequenceLength,
                $"MaxSequenceLength is {options.MaxSequenceLength} but {options.BaseModel.Id} has {positions} positions (max_position_embeddings); use at most {positions}.");
        int? eos = null;
        if (options.EndsWithEos)
        {
            eos = decoder.Tokenizer.EosTokenId ?? decoder.EndOfSequenceIds.Cast<int?>().FirstOrDefault()
                ?? throw new ArgumentException($"AppendEndOfSequence is set but {options.BaseModel.Id}'s tokenizer has no end-of-sequence token.", nameof(options.AppendEndOfSequence));
        }
        return new SequenceBuilder(decoder.Tokenizer, options.MaxSequenceLength, eos);
    }

    private static ShiraTextGenerationTransformer TrainOn(
        MLContext context, ShiraTextGenerationOptions options, GenerationColumnNames names, int seed, Device device,
        PretrainedDecoder decoder, IDataView trainData, MlContextLog log, Stopwatch clock, Action handOver)
    {
        var token = options.CancellationToken;
        var model = decoder.Model;
        var sequences = CreateSequences(options, decoder);
        var trainRows = GenerationRows.Read(trainData, names, sequences, "training", log, token);
        var validationRows = options.ValidationSet is null ? null : GenerationRows.Read(options.ValidationSet, names, sequences, "validation", log, token);
        model.Module.to(device);
        var train = new SequenceBatches(trainRows, options.BatchSize);
        var validation = validationRows is null ? null : new SequenceBatches(validationRows, options.BatchSize).Pass().ToList();
        log.Info($"Fine-tuning {options.BaseModel.Id} on {train.Rows} sequences ({trainRows.Sum(s => (long)s.Targets):N0} target tokens, " +
            $"{(names.IsPromptResponse ? "prompt/response, loss on responses only" : "plain text")}) for {options.Epochs} epoch(s) of {train.Count} batches on {device.type}; seed {seed}.");

        manual_seed(seed);
        var random = new Random(seed);
        var orders = new Dictionary<int, int[]>();
        int[] Order(int epoch)
        {
            for (int e = orders.Count + 1; e <= epoch; e++)
                orders[e] = train.Shuffle(random);
            return orders[epoch];
        }

        long modelWeights = model.Module.parameters().Sum(p => p.numel());
        var method = FineTuningFactory.Create(options.Method, model.Module, new TargetModuleMatcher(options.TargetModules, options.TargetModulesPattern), options.Budget(), seed, () =>
        {
            var (mask, scores) = DecoderMaskSelection.Create(options, seed, model, train.Pass(Order(1)), device, token);
            return FineTuningFactory.InjectShira(model.Module, options.TargetModules, options.TargetModulesPattern, options.Budget(), mask, scores);
        });
        SparseAdapter adapter;
        long changed;
        try
        {
            log.Info(method.Describe() + ".");
            double? basePerplexity = null;
            if (validation is not null)
            {
                model.Module.eval();
                basePerplexity = PerplexityMeter.FromMeanLoss(PerplexityMeter.MeanLoss(model, validation, device, token));
                log.Info($"Validation perplexity of the base model: {basePerplexity:F3} ({validationRows!.Count} sequences).");
            }

            new GenerationTrainingLoop(options, model, device, log, clock).Run(method.Parameters, train, Order, validation, basePerplexity);
            token.ThrowIfCancellationRequested();
            (adapter, changed) = method.Finish(options.AdapterName, options.BaseModel.Id, "CAUSAL_LM", seed);
        }
        finally
        {
            (method as IDisposable)?.Dispose();
        }
        log.Info(FineTuningSummary.Describe(method, changed, modelWeights, "model"));

        var engine = new GeneratorEngine(options.BaseModel, decoder, sequences, device);
        handOver();
        try
        {
            engine.Add(adapter);
            var selection = DecoderAdapterSelection.Single(adapter.Name);
            engine.Activate(selection);
            return new ShiraTextGenerationTransformer(context, engine, names, options.BatchSize, options.EndsWithEos, options.Generation, selection);
        }
        catch
        {
            engine.Dispose();
            throw;
        }
    }
}
