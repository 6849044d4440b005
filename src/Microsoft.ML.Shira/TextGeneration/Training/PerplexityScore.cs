using Microsoft.ML.Shira.Training;

namespace Microsoft.ML.Shira.TextGeneration.Training;

/// <summary>Validation perplexity after an epoch (lower wins), shown next to the base model's.</summary>
/// <param name="Perplexity">The epoch's validation perplexity.</param>
/// <param name="BasePerplexity">The base model's validation perplexity, for the log.</param>
internal sealed record PerplexityScore(double Perplexity, double? BasePerplexity) : IValidationScore
{
    public double Value => Perplexity;

    public IReadOnlyList<double> Components => [Perplexity];

    public string NoImprovement => "no lower validation perplexity";

    public bool IsBetterThan(IValidationScore? best) => best is not PerplexityScore o || Perplexity < o.Perplexity;

    public string Describe() => $"validation perplexity {Perplexity:F3}" + (BasePerplexity is { } b ? $" (base model {b:F3})" : "");

    public string DescribeKept() => $"validation perplexity {Perplexity:F3}";
}
