using Microsoft.ML;
using Microsoft.ML.Shira.TextClassification;

namespace Microsoft.ML.Shira.Samples.Sweep;

/// <summary>A classification task with key-typed labels: training, validation and test views.</summary>
internal sealed class SweepTask
{
    private readonly MLContext _context;

    private SweepTask(MLContext context, string name, IDataView train, IDataView validation, IDataView test, int trainRows, int validationRows, int testRows)
    {
        _context = context;
        Name = name;
        Train = train;
        Validation = validation;
        Test = test;
        TrainRows = trainRows;
        ValidationRows = validationRows;
        TestRows = testRows;
    }

    public string Name { get; }

    public IDataView Train { get; }

    public IDataView Validation { get; }

    public IDataView Test { get; }

    public int TrainRows { get; }

    public int ValidationRows { get; }

    public int TestRows { get; }

    public static SweepTask Load(MLContext ml, string name, List<LabeledText> train, List<LabeledText> validation, List<LabeledText> test)
    {
        var trainView = ml.Data.LoadFromEnumerable(train);
        var labels = ml.Transforms.Conversion.MapValueToKey("Label").Fit(trainView);
        return new SweepTask(ml, name, labels.Transform(trainView), labels.Transform(ml.Data.LoadFromEnumerable(validation)),
            labels.Transform(ml.Data.LoadFromEnumerable(test)), train.Count, validation.Count, test.Count);
    }

    /// <summary>The settings every run starts from: the library's defaults with a short run for two CPU cores.</summary>
    public static ShiraTextClassificationOptions BaseOptions() => new()
    {
        Sentence1ColumnName = nameof(LabeledText.Text),
        Epochs = 1,
        MaxSequenceLength = 48,
        Seed = 1,
    };

    public double TestAccuracy(ITransformer model) => _context.MulticlassClassification.Evaluate(model.Transform(Test)).MicroAccuracy;
}
