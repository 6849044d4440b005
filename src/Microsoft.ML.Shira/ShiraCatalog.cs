using Microsoft.ML.Shira.TextClassification;

namespace Microsoft.ML.Shira;

/// <summary>
/// SHiRA (Sparse High Rank Adapters, Bhardwaj et al. 2024) for ML.NET: fine-tune a pretrained encoder (text
/// classification) or decoder (text generation) by training about 1% of the entries of its weight matrices, then switch
/// or fuse the resulting adapters at no inference cost.
/// Get it with <c>mlContext.Shira()</c>.
/// </summary>
/// <example>
/// <code>
/// var pipeline = mlContext.Transforms.Conversion.MapValueToKey("Label")
///     .Append(mlContext.Shira().TextClassification(labelColumnName: "Label", sentence1ColumnName: "Text"));
/// var model = pipeline.Fit(trainData);
/// var metrics = mlContext.MulticlassClassification.Evaluate(model.Transform(testData));
/// </code>
/// </example>
public sealed partial class ShiraCatalog
{
    internal ShiraCatalog(MLContext context) => Context = context;

    /// <summary>The context whose log, seed and GPU settings this catalog's components use.</summary>
    internal MLContext Context { get; }

    /// <summary>An estimator that fine-tunes a text classifier with a SHiRA adapter.</summary>
    /// <param name="options">Columns, base model, mask, budget and training settings.</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public ShiraTextClassificationEstimator TextClassification(ShiraTextClassificationOptions options) => new(Context, options);

    /// <summary>An estimator that fine-tunes a text classifier with a SHiRA adapter (1% random mask on every BERT projection).</summary>
    /// <param name="labelColumnName">Key-typed (multiclass) or Boolean (binary) label.</param>
    /// <param name="sentence1ColumnName">Text column.</param>
    /// <param name="sentence2ColumnName">Optional second text column for sentence-pair tasks.</param>
    /// <param name="predictedLabelColumnName">Output predicted label column.</param>
    /// <param name="scoreColumnName">Output score column.</param>
    /// <param name="epochs">Passes over the training data.</param>
    /// <param name="batchSize">Rows per optimizer step.</param>
    /// <param name="maxSequenceLength">Longest input in tokens.</param>
    /// <param name="validationSet">Optional validation data for per-epoch validation and early stopping.</param>
    public ShiraTextClassificationEstimator TextClassification(
        string labelColumnName = "Label",
        string sentence1ColumnName = "Sentence1",
        string? sentence2ColumnName = null,
        string predictedLabelColumnName = "PredictedLabel",
        string scoreColumnName = "Score",
        int epochs = 3,
        int batchSize = 16,
        int maxSequenceLength = 128,
        IDataView? validationSet = null) =>
        TextClassification(new ShiraTextClassificationOptions
        {
            LabelColumnName = labelColumnName,
            Sentence1ColumnName = sentence1ColumnName,
            Sentence2ColumnName = sentence2ColumnName,
            PredictedLabelColumnName = predictedLabelColumnName,
            ScoreColumnName = scoreColumnName,
            Epochs = epochs,
            BatchSize = batchSize,
            MaxSequenceLength = maxSequenceLength,
            ValidationSet = validationSet,
        });

    /// <summary>Trains a text classifier directly (the estimator's <c>Fit</c>).</summary>
    /// <param name="trainData">Training data with the label and text columns.</param>
    /// <param name="options">Columns, base model, mask, budget and training settings.</param>
    public ShiraTextClassificationTransformer Train(IDataView trainData, ShiraTextClassificationOptions options) =>
        TextClassification(options).Fit(trainData);
}
