using Microsoft.ML.Runtime;

namespace Microsoft.ML.Shira.Runtime;

/// <summary>Seeds derived from an <see cref="MLContext"/>, as ML.NET components derive theirs.</summary>
internal static class SeedSource
{
    /// <summary>
    /// <paramref name="explicitSeed"/> when given; otherwise the next draw of the context's random source, which is
    /// deterministic when the context was created with <c>new MLContext(seed: …)</c>.
    /// </summary>
    public static int Resolve(MLContext context, int? explicitSeed, string componentName) =>
        explicitSeed ?? ((IHostEnvironment)context).Register(componentName).Rand.Next();
}
