using Microsoft.ML.Shira.BaseModels;
using Microsoft.ML.Shira.Models;
using Microsoft.ML.Shira.Runtime;
using Microsoft.ML.Shira.TextClassification.Data;
using Microsoft.ML.Shira.TextClassification.Inference;
using Microsoft.ML.Shira.TextClassification.Schema;
using Microsoft.ML.Shira.Training;

namespace Microsoft.ML.Shira.TextClassification.Training;

/// <summary>
/// Fit of <see cref="ShiraTextClassificationEstimator"/>: reads and checks the data, loads the base model, fine-tunes it
/// with the shared <see cref="AdapterFineTuning"/> core and a fresh head, and builds the transformer. Nothing is
/// returned half-built: on any error or cancellation every tensor and model created here is released.
/// </summary>
internal static class ShiraClassifierTrainer
{
    public const string LogSource = "ShiraTextClassification";

    public static ShiraTextClassificationTransformer Train(MLContext context, ShiraTextClassificationOptions options, IDataView trainData)
    {
        var token = options.CancellationToken;
        var names = ClassificationColumns.From(options);
        var label = CheckColumns(trainData.Schema, names);
        var validationLabel = options.ValidationSet is null ? null : CheckColumns(options.ValidationSet.Schema, names);
        if (validationLabel is not null)
            ClassificationRows.RequireSameLabels(label, validationLabel, names.Label);

        using var run = TrainingRun.Start(context, options, LogSource);
        var train = ClassificationRows.Read(trainData, names, label, "training", run.Log, token);
        var validation = options.ValidationSet is null ? null : ClassificationRows.Read(options.ValidationSet, names, validationLabel!, "validation", run.Log, token);
        return run.OnBaseModel(options.BaseModel.Load(run.BaseModelLoadOptions(options)), options.AdapterName,
            (encoder, handOver) => TrainOn(context, options, names, label, run, encoder, train, validation, handOver));
    }

    /// <summary>
    /// Default (BERT) target modules become the encoder's own projection names (DistilBERT's <c>q_lin</c> … <c>lin2</c>);
    /// modules that mean pooling never reaches (BERT's pooler) are left out.
    /// </summary>
    private static ShiraTextClassificationOptions WithTargetsOf(ISentenceEncoder model, ShiraTextClassificationOptions options, MlContextLog log)
    {
        bool renamed = options.TargetModulesPattern is null && options.TargetModules.SequenceEqual(ShiraTextClassificationOptions.BertTargetModules)
            && !model.ProjectionModules.SequenceEqual(options.TargetModules);
        if (!renamed && model.ModulesOutsideHiddenState.Count == 0)
            return options;
        var copy = (ShiraTextClassificationOptions)options.CopyForTrial();
        copy.ExcludedModules = model.ModulesOutsideHiddenState;
        if (renamed)
        {
            copy.TargetModules = model.ProjectionModules.ToList();
            log.Info($"Target modules: {string.Join(", ", copy.TargetModules)} (the '{model.ModelType}' names of the default BERT projections).");
        }
        return copy;
    }

    private static LabelInfo CheckColumns(DataViewSchema schema, ClassificationColumns names)
    {
        ClassificationInputColumns.RequireTexts(schema, names);
        return ClassificationInputColumns.RequireLabel(schema, names.Label);
    }

    private static ShiraTextClassificationTransformer TrainOn(
        MLContext context, ShiraTextClassificationOptions options, ClassificationColumns names, LabelInfo label, TrainingRun run,
        PretrainedEncoder encoder, List<Example> trainRows, List<Example>? validationRows, Action handOver)
    {
        var device = run.Device;
        var model = encoder.Model;
        options = WithTargetsOf(model, options, run.Log);
        if (options.MaxSequenceLength > model.MaxTokens)
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxSequenceLength,
                $"MaxSequenceLength ({options.MaxSequenceLength}) exceeds the {model.MaxTokens} positions of the base model {options.BaseModel.Id}; set MaxSequenceLength to at most {model.MaxTokens}.");
        var tokenizer = encoder.Tokenizer.WithMaxLength(options.MaxSequenceLength);
        Func<IReadOnlyList<Example>, ExampleBatch> batch = rows => ExampleBatch.Create(rows, tokenizer);
        var train = new EpochBatches<Example, ExampleBatch>(trainRows, options.BatchSize, batch, run.Seed);
        var validation = validationRows is null ? null : EpochBatches<Example, ExampleBatch>.InOrder(validationRows, options.BatchSize, batch).ToList();
        run.Log.Info($"Fine-tuning {options.BaseModel.Id} on {train.Rows} rows ({(label.IsBinary ? "binary" : $"{label.ClassCount} classes")}) " +
            $"for {options.Epochs} epoch(s) of {train.Count} batches on {device.type}; seed {run.Seed}.");

        manual_seed(run.Seed);
        using var task = new ClassificationTraining(options, model, label.ClassCount, device);
        var adapter = AdapterFineTuning.Train(run, options, options.BaseModel.Id, task, train, validation);
        var head = task.ExportHead(label);

        var engine = new ClassifierEngine(options.BaseModel, encoder, tokenizer, device);
        handOver();
        try
        {
            engine.Add(adapter, head);
            var selection = ClassifierSelection.Single(adapter.Name);
            engine.Activate(selection);
            return new ShiraTextClassificationTransformer(context, engine, names, options.BatchSize, selection);
        }
        catch
        {
            engine.Dispose();
            throw;
        }
    }
}
