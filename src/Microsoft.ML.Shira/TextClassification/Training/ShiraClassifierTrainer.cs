using System.Diagnostics;
using Microsoft.ML.Shira.Adapters;
using Microsoft.ML.Shira.BaseModels;
using Microsoft.ML.Shira.Runtime;
using Microsoft.ML.Shira.TextClassification.Inference;
using Microsoft.ML.Shira.TextClassification.Schema;
using Microsoft.ML.Shira.Training;
using Microsoft.ML.Shira.Training.Methods;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.TextClassification.Training;

/// <summary>
/// Fit of <see cref="ShiraTextClassificationEstimator"/>: reads and checks the data, loads the base model, prepares the
/// fine-tuning method (for SHiRA: chooses the mask, calibrating it if needed, and injects), trains, and builds the transformer. Nothing is returned half-built:
/// on any error or cancellation every tensor and model created here is released.
/// </summary>
internal static class ShiraClassifierTrainer
{
    public const string LogSource = "ShiraTextClassification";

    public static ShiraTextClassificationTransformer Train(MLContext context, ShiraTextClassificationOptions options, IDataView trainData)
    {
        ArgumentNullException.ThrowIfNull(trainData);
        options.Validate();
        var token = options.CancellationToken;
        token.ThrowIfCancellationRequested();
        var names = ColumnNames.From(options);
        var label = CheckColumns(trainData.Schema, names);
        var validationLabel = options.ValidationSet is null ? null : CheckColumns(options.ValidationSet.Schema, names);
        if (validationLabel is not null)
            TrainingRows.RequireSameLabels(label, validationLabel, names.Label);

        using var run = TrainingRun.Start(context, options, LogSource);
        var train = TrainingRows.Read(trainData, names, label, "training", run.Log, token);
        var validation = options.ValidationSet is null ? null : TrainingRows.Read(options.ValidationSet, names, validationLabel!, "validation", run.Log, token);
        return run.OnBaseModel(options.BaseModel.Load(), options.AdapterName,
            (encoder, handOver) => TrainOn(context, options, names, label, run.Seed, run.Device, encoder, train, validation, run.Log, run.Clock, handOver));
    }

    private static LabelInfo CheckColumns(DataViewSchema schema, ColumnNames names)
    {
        InputColumns.RequireText(schema, names.Sentence1, "text (Sentence1)");
        if (names.Sentence2 is not null)
            InputColumns.RequireText(schema, names.Sentence2, "second text (Sentence2)");
        return InputColumns.RequireLabel(schema, names.Label);
    }

    private static ShiraTextClassificationTransformer TrainOn(
        MLContext context, ShiraTextClassificationOptions options, ColumnNames names, LabelInfo label, int seed, Device device,
        PretrainedEncoder encoder, List<Example> trainRows, List<Example>? validationRows, MlContextLog log, Stopwatch clock, Action handOver)
    {
        var token = options.CancellationToken;
        var model = encoder.Model;
        model.to(device);
        var tokenizer = encoder.Tokenizer.WithMaxLength(options.MaxSequenceLength);
        var train = new ExampleBatches(trainRows, options.BatchSize, tokenizer);
        var validation = validationRows is null ? null : new ExampleBatches(validationRows, options.BatchSize, tokenizer).Pass().ToList();
        log.Info($"Fine-tuning {options.BaseModel.Id} on {train.Rows} rows ({(label.IsBinary ? "binary" : $"{label.ClassCount} classes")}) " +
            $"for {options.Epochs} epoch(s) of {train.Count} batches on {device.type}; seed {seed}.");

        manual_seed(seed);
        using var head = nn.Linear(encoder.Config.HiddenSize, label.ClassCount);
        head.to(device);
        var random = new Random(seed);
        var orders = new Dictionary<int, int[]>();
        int[] Order(int epoch)
        {
            for (int e = orders.Count + 1; e <= epoch; e++)
                orders[e] = train.Shuffle(random);
            return orders[epoch];
        }

        long encoderWeights = model.parameters().Sum(p => p.numel());
        var method = ClassifierFineTuning.Create(options, seed, model, head, train.Pass(Order(1)), device, token);
        SparseAdapter adapter;
        long changed;
        try
        {
            log.Info(method.Describe() + $" + head {head.weight!.numel() + head.bias!.numel():N0}.");
            new TrainingLoop(options, model, head, device, log, clock).Run(method.Parameters, train, Order, validation);
            token.ThrowIfCancellationRequested();
            (adapter, changed) = method.Finish(options.AdapterName, options.BaseModel.Id, "SEQ_CLS", seed);
        }
        finally
        {
            (method as IDisposable)?.Dispose();
        }
        log.Info(FineTuningSummary.Describe(method, changed, encoderWeights, "encoder"));

        var classifier = ExportHead(head, label);
        var engine = new ClassifierEngine(options.BaseModel, encoder, tokenizer, device);
        handOver();
        try
        {
            engine.Add(adapter, classifier);
            var selection = AdapterSelection.Single(adapter.Name);
            engine.Activate(selection);
            return new ShiraTextClassificationTransformer(context, engine, names, options.BatchSize, selection);
        }
        catch
        {
            engine.Dispose();
            throw;
        }
    }

    private static ShiraClassificationHead ExportHead(Linear head, LabelInfo label)
    {
        using var scope = NewDisposeScope();
        float[] weight = head.weight!.detach().to(ScalarType.Float32).cpu().data<float>().ToArray();
        float[] bias = head.bias!.detach().to(ScalarType.Float32).cpu().data<float>().ToArray();
        return new ShiraClassificationHead(weight, bias, label.ClassNames, label.IsBinary) { LabelAnnotations = label.Annotations };
    }
}
