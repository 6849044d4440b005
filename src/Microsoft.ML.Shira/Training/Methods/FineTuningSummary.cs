namespace Microsoft.ML.Shira.Training.Methods;

/// <summary>The log line that sums up a finished training run.</summary>
internal static class FineTuningSummary
{
    /// <summary>Starts the summary line (tools and tests look for it).</summary>
    public const string Prefix = "Fine-tuned with";

    /// <summary>
    /// The method, its trainable parameters and how many of the model's weights differ from the pretrained ones with the
    /// adapter fused, in invariant-culture numbers; <paramref name="modelKind"/> names the model ("encoder", "model").
    /// </summary>
    public static string Describe(IFineTuning method, long changed, long modelWeights, string modelKind) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{Prefix} {method.Name}: {method.TrainableCount:N0} trainable {modelKind} parameters; {changed:N0} of {modelWeights:N0} {modelKind} weights changed.");
}
