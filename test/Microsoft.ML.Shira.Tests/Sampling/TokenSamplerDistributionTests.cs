using Microsoft.ML.Shira.Decoding;

namespace Microsoft.ML.Shira.Tests.Sampling;

/// <summary>
/// The sampler's draws follow the distribution that temperature, top-k and top-p define over the logits, computed
/// here independently from their definitions (softmax of logits / T; the k largest kept, ties included; Hugging Face's
/// top-p keeps the smallest set of most likely tokens whose mass reaches p). Pearson's χ² against that distribution
/// must stay below the 0.1 % critical value; tokens outside the support must never appear. Seeded, so deterministic.
/// </summary>
[TestClass]
public sealed class TokenSamplerDistributionTests
{
    private const int Draws = 20_000;
    private static readonly float[] Logits = [2.0f, 1.2f, 0.9f, 0.1f, -0.4f, -1.5f, -3.0f];

    // χ² critical values at p = 0.001 by degrees of freedom.
    private static readonly Dictionary<int, double> Critical = new() { [1] = 10.83, [2] = 13.82, [3] = 16.27, [4] = 18.47, [5] = 20.52, [6] = 22.46 };

    [TestMethod]
    [DataRow(1.0, 0, 1.0, DisplayName = "plain softmax")]
    [DataRow(0.5, 0, 1.0, DisplayName = "temperature 0.5")]
    [DataRow(2.0, 0, 1.0, DisplayName = "temperature 2")]
    [DataRow(1.0, 3, 1.0, DisplayName = "top-k 3")]
    [DataRow(1.0, 0, 0.8, DisplayName = "top-p 0.8")]
    [DataRow(1.5, 5, 0.9, DisplayName = "temperature 1.5, top-k 5, top-p 0.9")]
    public void DrawsFollowTheTruncatedSoftmax(double temperature, int topK, double topP)
    {
        var expected = Expected(Logits, temperature, topK, topP);
        var counts = new int[Logits.Length];
        using (var sampler = new TokenSampler(new GenerationOptions { DoSample = true, Temperature = temperature, TopK = topK, TopP = topP, Seed = 42 }))
        {
            for (int i = 0; i < Draws; i++)
                counts[sampler.Next(Logits)]++;
        }

        double chiSquare = 0;
        int support = 0;
        for (int t = 0; t < Logits.Length; t++)
        {
            if (expected[t] == 0)
            {
                Assert.AreEqual(0, counts[t], $"Token {t} is outside the support but was drawn {counts[t]} times.");
                continue;
            }
            support++;
            double e = expected[t] * Draws;
            chiSquare += (counts[t] - e) * (counts[t] - e) / e;
        }
        Console.WriteLine($"T={temperature}, k={topK}, p={topP}: support {support}, χ² = {chiSquare:F2}; counts [{string.Join(", ", counts)}], expected [{string.Join(", ", expected.Select(p => (p * Draws).ToString("F0")))}]");
        Assert.IsLessThan(Critical[support - 1], chiSquare, $"χ² with {support - 1} degrees of freedom");
    }

    [TestMethod]
    public void GreedyIsTheArgMaxAndSkipsNaN()
    {
        using var sampler = new TokenSampler(new GenerationOptions());
        Assert.AreEqual(0, sampler.Next(Logits));
        Assert.AreEqual(2, sampler.Next([float.NaN, 1f, 3f, 2f]));
        Assert.ThrowsExactly<InvalidOperationException>(() => sampler.Next([float.NaN, float.NaN]));
    }

    /// <summary>The target distribution, from the definitions.</summary>
    private static double[] Expected(float[] logits, double temperature, int topK, double topP)
    {
        int n = logits.Length;
        var weights = logits.Select(l => Math.Exp(l / temperature)).ToArray();
        if (topK > 0 && topK < n)
        {
            double kth = logits.OrderByDescending(l => l).ElementAt(topK - 1);
            for (int i = 0; i < n; i++)
                if (logits[i] < kth)
                    weights[i] = 0;
        }
        double total = weights.Sum();
        var p = weights.Select(w => w / total).ToArray();
        if (topP < 1.0)
        {
            // Keep the most likely tokens, in descending order, until their mass reaches topP.
            var keep = new bool[n];
            double mass = 0;
            foreach (int i in Enumerable.Range(0, n).OrderByDescending(i => p[i]))
            {
                keep[i] = true;
                mass += p[i];
                if (mass >= topP)
                    break;
            }
            for (int i = 0; i < n; i++)
                if (!keep[i])
                    p[i] = 0;
            double kept = p.Sum();
            for (int i = 0; i < n; i++)
                p[i] /= kept;
        }
        return p;
    }
}
