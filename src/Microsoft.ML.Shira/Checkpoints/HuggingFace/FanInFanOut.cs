using Microsoft.ML.Shira.Models;

namespace Microsoft.ML.Shira.Checkpoints.HuggingFace;

/// <summary>Which checkpoint tensors are stored transposed (Conv1D <c>[in, out]</c>) relative to the model's Linear <c>[out, in]</c>.</summary>
internal static class FanInFanOut
{
    private const string WeightSuffix = ".weight";

    /// <summary>True when <paramref name="parameterName"/> is the weight of one of the model's fan-in-fan-out modules.</summary>
    public static bool IsTransposed(IHuggingFaceModel model, string parameterName) =>
        model.FanInFanOutModules.Count > 0
        && parameterName.EndsWith(WeightSuffix, StringComparison.Ordinal)
        && model.FanInFanOutModules.Contains(parameterName[..^WeightSuffix.Length]);
}
