namespace Microsoft.ML.Shira.Decoding;

/// <summary>
/// Picks the next token from one row of logits: argmax, or temperature → top-k → top-p → a draw from a seeded
/// <c>torch.Generator</c> (one uniform number per step, inverse CDF in float64 on the CPU, so the choice is
/// reproducible and independent of the device).
/// </summary>
internal sealed class TokenSampler : IDisposable
{
    private readonly GenerationOptions _options;
    private readonly Generator? _generator;

    public TokenSampler(GenerationOptions options)
    {
        _options = options;
        if (options.DoSample)
            _generator = new Generator(options.Seed ?? (ulong)Random.Shared.NextInt64(long.MaxValue));
    }

    public int Next(ReadOnlySpan<float> logits)
    {
        if (logits.Length == 0)
            throw new ArgumentException("The model returned no logits.", nameof(logits));
        return _generator is null ? ArgMax(logits) : Sample(logits, _generator);
    }

    public void Dispose() => _generator?.Dispose();

    private static int ArgMax(ReadOnlySpan<float> logits)
    {
        int best = -1;
        for (int i = 0; i < logits.Length; i++)
        {
            if (!float.IsNaN(logits[i]) && (best < 0 || logits[i] > logits[best]))
                best = i;
        }
        return best >= 0 ? best : throw new InvalidOperationException("Every logit is NaN; the model's weights or inputs are broken.");
    }

    private int Sample(ReadOnlySpan<float> logits, Generator generator)
    {
        var scores = new double[logits.Length];
        for (int i = 0; i < scores.Length; i++)
            scores[i] = float.IsNaN(logits[i]) ? double.NegativeInfinity : logits[i] / _options.Temperature;
        if (_options.TopK > 0 && _options.TopK < scores.Length)
            KeepTopK(scores, _options.TopK);
        var probabilities = Softmax(scores);
        if (_options.TopP < 1.0)
        {
            KeepTopP(probabilities, _options.TopP);
            double total = probabilities.Sum();
            for (int i = 0; i < probabilities.Length; i++)
                probabilities[i] /= total;
        }

        double u;
        using (var draw = rand(1, ScalarType.Float64, generator: generator))
            u = draw.item<double>();
        double cumulative = 0;
        int last = -1;
        for (int i = 0; i < probabilities.Length; i++)
        {
            if (probabilities[i] <= 0)
                continue;
            cumulative += probabilities[i];
            last = i;
            if (u < cumulative)
                return i;
        }
        return last >= 0 ? last : throw new InvalidOperationException("No token has a positive probability; the logits are not finite.");
    }

    /// <summary>Removes every score below the k-th largest (ties with it are kept, as in Hugging Face).</summary>
    private static void KeepTopK(double[] scores, int k)
    {
        var sorted = (double[])scores.Clone();
        Array.Sort(sorted, (a, b) => b.CompareTo(a));
        double threshold = sorted[k - 1];
        for (int i = 0; i < scores.Length; i++)
        {
            if (scores[i] < threshold)
                scores[i] = double.NegativeInfinity;
        }
    }

    /// <summary>
    /// Hugging Face's top-p: in ascending order of probability, removes tokens while the cumulative probability is
    /// at most <c>1 - topP</c>; the most likely token always stays.
    /// </summary>
    private static void KeepTopP(double[] probabilities, double topP)
    {
        var order = Enumerable.Range(0, probabilities.Length).OrderBy(i => probabilities[i]).ThenByDescending(i => i).ToArray();
        double cumulative = 0;
        for (int rank = 0; rank < order.Length - 1; rank++)
        {
            cumulative += probabilities[order[rank]];
            if (cumulative > 1 - topP)
                break;
            probabilities[order[rank]] = 0;
        }
    }

    private static double[] Softmax(double[] scores)
    {
        double max = scores.Max();
        if (double.IsNegativeInfinity(max) || double.IsNaN(max))
            throw new InvalidOperationException("Every logit is -infinity or NaN; nothing can be sampled.");
        var result = new double[scores.Length];
        double total = 0;
        for (int i = 0; i < scores.Length; i++)
        {
            result[i] = Math.Exp(scores[i] - max);
            total += result[i];
        }
        for (int i = 0; i < result.Length; i++)
            result[i] /= total;
        return result;
    }
}
