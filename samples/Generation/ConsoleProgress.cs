using Microsoft.ML.Shira.TextGeneration;

namespace Microsoft.ML.Shira.Samples.Generation;

/// <summary>Prints a progress line every 50 steps and at every epoch end.</summary>
internal sealed class ConsoleProgress : IProgress<ShiraTextGenerationProgress>
{
    public void Report(ShiraTextGenerationProgress p)
    {
        if (!p.IsEpochEnd && p.Step % 50 != 0)
            return;
        string validation = p.ValidationPerplexity is { } v ? $", validation perplexity {v:F2}" : "";
        Console.WriteLine($"  epoch {p.Epoch}/{p.Epochs} step {p.Step}/{p.TotalSteps}: loss {p.Loss:F3}{validation}, " +
            $"{p.TokensPerSecond:N0} tokens/s, ETA {p.EstimatedRemaining:mm\\:ss}{(p.IsEpochEnd ? " (epoch end)" : "")}");
    }
}
