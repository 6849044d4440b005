using Microsoft.ML.Shira.TextClassification.Schema;
using Microsoft.ML.Shira.TextClassification.Training;

namespace Microsoft.ML.Shira.TextClassification;

/// <summary>
/// Fine-tunes a pretrained encoder for text classification with a SHiRA adapter and a linear head; create it with
/// <c>mlContext.Shira().TextClassification(...)</c>. The label must be a key (multiclass, e.g. from
/// <c>MapValueToKey</c>) or Boolean (binary); the text columns must be strings.
/// </summary>
public sealed class ShiraTextClassificationEstimator : ShiraEstimator<ShiraTextClassificationTransformer>
{
    private readonly ShiraTextClassificationOptions _options;

    internal ShiraTextClassificationEstimator(MLContext context, ShiraTextClassificationOptions options)
        : base(context, options)
    {
        _options = options;
    }

    private protected override ShiraTextClassificationTransformer Train(IDataView input) => ShiraClassifierTrainer.Train(Context, _options, input);

    /// <summary>The input columns plus the outputs; checks the text and label columns.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has the wrong type.</exception>
    public override SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var names = ClassificationColumns.From(_options);
        ClassificationInputColumns.RequireTexts(inputSchema, names);
        var (isBinary, label) = ClassificationInputColumns.RequireLabel(inputSchema, names.Label);
        return ClassificationOutputColumns.Shape(inputSchema, names, isBinary, label);
    }
}
