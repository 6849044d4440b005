using System.Diagnostics;
using Microsoft.ML.Shira.Adapters;
using Microsoft.ML.Shira.Adapters.Injection;
using Microsoft.ML.Shira.BaseModels;
using Microsoft.ML.Shira.Runtime;
using Microsoft.ML.Shira.TextGeneration.Data;
using Microsoft.ML.Shira.TextGeneration.Inference;
using Microsoft.ML.Shira.TextGeneration.Schema;
using Microsoft.ML.Shira.Training;
using Microsoft.ML.Shira.Training.Methods;

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
        var names = GenerationColumns.From(options);
        GenerationInputColumns.RequireTraining(trainData.Schema, names);
        if (options.ValidationSet is not null)
            GenerationInputColumns.RequireTraining(options.ValidationSet.Schema, names);

        using var run = TrainingRun.Start(context, options, LogSource);
        return run.OnBaseModel(options.BaseModel.Load(run.BaseModelLoadOptions(options)), options.AdapterName,
            (decoder, handOver) => TrainOn(context, options, names, run, decoder, trainData, handOver));
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
        MLContext context, ShiraTextGenerationOptions options, GenerationColumns names, TrainingRun run,
        PretrainedDecoder decoder, IDataView trainData, Action handOver)
    {
        var token = options.CancellationToken;
        var device = run.Device;
        var model = decoder.Model;
        var sequences = CreateSequences(options, decoder);
        var trainRows = GenerationRows.Read(trainData, names, sequences, "training", run.Log, token);
        var validationRows = options.ValidationSet is null ? null : GenerationRows.Read(options.ValidationSet, names, sequences, "validation", run.Log, token);
        var train = new EpochBatches<TokenSequence, SequenceBatch>(trainRows, options.BatchSize, SequenceBatch.Create, run.Seed);
        var validation = validationRows is null ? null : EpochBatches<TokenSequence, SequenceBatch>.InOrder(validationRows, options.BatchSize, SequenceBatch.Create).ToList();
        run.Log.Info($"Fine-tuning {options.BaseModel.Id} on {train.Rows} sequences ({trainRows.Sum(s => (long)s.Targets):N0} target tokens, " +
            $"{(names.IsPromptResponse ? "prompt/response, loss on responses only" : "plain text")}) for {options.Epochs} epoch(s) of {train.Count} batches on {device.type}; seed {run.Seed}.");

        manual_seed(run.Seed);
        var adapter = AdapterFineTuning.Train(run, options, options.BaseModel.Id, new LanguageModelTraining(options, model, device, run.Log), train, validation);

        var engine = new GeneratorEngine(options.BaseModel, decoder, sequences, device);
        handOver();
        try
        {
            engine.Add(adapter);
            var selection = GeneratorSelection.Single(adapter.Name);
            engine.Activate(selection);
            return new ShiraTextGenerationTransformer(context, engine, names, options.BatchSize, options.EndsWithEos, options.Generation.Copy(), selection);
        }
        catch
        {
            engine.Dispose();
            throw;
        }
    }
}
