using Microsoft.ML.Data;

namespace Microsoft.ML.Shira.TextClassification.Schema;

/// <summary>What the training label column says about the classes.</summary>
/// <param name="IsBinary">Boolean label.</param>
/// <param name="ClassCount">Number of classes (2 for Boolean).</param>
/// <param name="ClassNames">Key values as text in key order; null without a KeyValues annotation (or for Boolean).</param>
/// <param name="Annotations">The label column's annotations (KeyValues with its original type); null for Boolean.</param>
/// <param name="Type">The column type.</param>
internal sealed record LabelInfo(bool IsBinary, int ClassCount, string[]? ClassNames, DataViewSchema.Annotations? Annotations, DataViewType Type);
