using Microsoft.ML.Shira.TextClassification;

namespace Microsoft.ML.Shira.Evaluation.Runs;

/// <summary>A run's measurements and, when asked to keep it (for fusion), its trained model and label mapping.</summary>
internal sealed record RunOutcome(RunResult Result, ShiraTextClassificationTransformer? Model, ITransformer? LabelMapping, IDataView? Test, MLContext Context);
