namespace Microsoft.ML.Shira.Models.Llama;

/// <summary>
/// RoPE frequency scaling (Hugging Face <c>rope_scaling</c>): <c>linear</c> divides every frequency by
/// <see cref="Factor"/>; <c>llama3</c> (Llama 3.1+) scales only the low frequencies and blends the middle band.
/// </summary>
/// <param name="RopeType"><c>linear</c> or <c>llama3</c>.</param>
/// <param name="Factor">Scaling factor.</param>
/// <param name="LowFreqFactor"><c>llama3</c> only: <c>low_freq_factor</c>.</param>
/// <param name="HighFreqFactor"><c>llama3</c> only: <c>high_freq_factor</c>.</param>
/// <param name="OriginalMaxPositionEmbeddings"><c>llama3</c> only: context length the model was pre-trained with.</param>
internal sealed record LlamaRopeScaling(
    string RopeType,
    double Factor,
    double LowFreqFactor = 1.0,
    double HighFreqFactor = 4.0,
    long OriginalMaxPositionEmbeddings = 8192)
{
    /// <summary>The rope types this library implements.</summary>
    public static IReadOnlyList<string> SupportedTypes { get; } = new[] { "linear", "llama3" };

    /// <summary>Applies the scaling to default inverse frequencies (one per pair of head dimensions).</summary>
    public double[] Apply(double[] inverseFrequencies)
    {
        ArgumentNullException.ThrowIfNull(inverseFrequencies);
        var result = new double[inverseFrequencies.Length];
        if (RopeType == "linear")
        {
            for (int i = 0; i < result.Length; i++)
                result[i] = inverseFrequencies[i] / Factor;
            return result;
        }
        if (RopeType != "llama3")
            throw new NotSupportedException($"RoPE scaling type '{RopeType}' is not supported; supported: {string.Join(", ", SupportedTypes)}.");

        double lowFreqWavelength = OriginalMaxPositionEmbeddings / LowFreqFactor;
        double highFreqWavelength = OriginalMaxPositionEmbeddings / HighFreqFactor;
        for (int i = 0; i < result.Length; i++)
        {
            double frequency = inverseFrequencies[i];
            double wavelength = 2 * Math.PI / frequency;
            if (wavelength < highFreqWavelength)
            {
                result[i] = frequency;
            }
            else if (wavelength > lowFreqWavelength)
            {
                result[i] = frequency / Factor;
            }
            else
            {
                double smooth = (OriginalMaxPositionEmbeddings / wavelength - LowFreqFactor) / (HighFreqFactor - LowFreqFactor);
                result[i] = (1 - smooth) * frequency / Factor + smooth * frequency;
            }
        }
        return result;
    }
}
