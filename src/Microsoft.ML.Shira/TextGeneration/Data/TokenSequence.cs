using Microsoft.ML.Shira.TextGeneration.Training;

namespace Microsoft.ML.Shira.TextGeneration.Data;

/// <summary>
/// One training or validation sequence: token ids (BOS first when the tokenizer uses one) and the first position whose
/// token is a prediction target. Position <c>t ≥ FirstTarget</c> is predicted from positions <c>0…t−1</c>; earlier
/// positions (BOS, and the prompt of a prompt/response pair) are context only and never count in the loss.
/// </summary>
/// <param name="Ids">Token ids.</param>
/// <param name="FirstTarget">First target position, at least 1 and below <c>Ids.Length</c>.</param>
internal sealed record TokenSequence(int[] Ids, int FirstTarget)
{
    /// <summary>Number of target tokens (tokens counted in the loss).</summary>
    public int Targets => Ids.Length - FirstTarget;
}
