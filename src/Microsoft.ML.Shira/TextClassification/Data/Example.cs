using Microsoft.ML.Shira.TextClassification.Training;

namespace Microsoft.ML.Shira.TextClassification.Data;

/// <summary>One labeled training or validation row.</summary>
/// <param name="First">First text.</param>
/// <param name="Second">Second text of a pair, or null.</param>
/// <param name="Label">0-based class index (Boolean: 0 = false, 1 = true).</param>
internal sealed record Example(string First, string? Second, int Label);
