using System.Diagnostics;
using Microsoft.ML.Shira.Adapters;
using Microsoft.ML.Shira.Evaluation.Data;
using Microsoft.ML.Shira.Evaluation.Methods;
using Microsoft.ML.Shira.TextClassification;
using Microsoft.ML.Transforms;

namespace Microsoft.ML.Shira.Evaluation.Runs;

/// <summary>Trains one method on one task with one seed and scores the test rows with ML.NET's multiclass evaluator.</summary>
internal static class SingleRun
{
    public static RunOutcome Execute(EvaluationSettings settings, TaskData task, MethodSpec method, int seed, bool keepModel,
        IReadOnlyList<SparseAdapter>? nonOverlappingWith = null, string? note = null)
    {
        var ml = new MLContext(seed);
        var messages = new List<string>();
        ml.Log += (_, e) =>
        {
            if (e.Source == "ShiraTextClassification")
            {
                lock (messages)
                    messages.Add(e.Message);
            }
        };
        var train = ml.Data.LoadFromEnumerable(task.Train);
        var mapping = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue).Fit(train);
        var test = mapping.Transform(ml.Data.LoadFromEnumerable(task.Test));
        var options = new ShiraTextClassificationOptions
        {
            Method = method.Method,
            MaskType = method.Mask,
            Sparsity = method.Sparsity,
            LearningRate = method.LearningRate,
            HeadLearningRate = settings.HeadLearningRate,
            Epochs = settings.Epochs,
            BatchSize = settings.BatchSize,
            MaxSequenceLength = settings.MaxSequenceLength,
            NumberOfThreads = settings.Threads,
            Seed = seed,
            Sentence1ColumnName = nameof(TextRow.Text),
            AdapterName = task.Name,
            NonOverlappingWith = nonOverlappingWith?.ToList() ?? [],
        };

        var (startBytes, _) = PeakMemory.Start();
        var clock = Stopwatch.StartNew();
        var model = ml.Shira().Train(mapping.Transform(train), options);
        double trainSeconds = clock.Elapsed.TotalSeconds;
        try
        {
            var metrics = ml.MulticlassClassification.Evaluate(model.Transform(test));
            double peakMb = (PeakMemory.Peak() - startBytes) / (1024.0 * 1024.0);
            TrainingSummary summary;
            lock (messages)
                summary = TrainingSummary.Parse(messages);
            var head = model.GetHead(task.Name);
            var result = new RunResult(task.Name, method.Id, method.Display, seed, task.Train.Count, task.Test.Count,
                metrics.MicroAccuracy, MacroF1.From(metrics), summary.TrainableEncoderParameters, head.Weight.Count + head.Bias.Count,
                summary.ChangedShare, trainSeconds, peakMb, note ?? "");
            if (keepModel)
                return new RunOutcome(result, model, mapping, test, ml);
            model.Dispose();
            return new RunOutcome(result, null, null, null, ml);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
