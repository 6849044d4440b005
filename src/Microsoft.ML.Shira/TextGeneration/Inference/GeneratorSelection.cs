using Microsoft.ML.Shira.Inference;

namespace Microsoft.ML.Shira.TextGeneration.Inference;

/// <summary>What a text generator runs: the adapters fused into the decoder's weights with their α; none means the base model.</summary>
internal sealed class GeneratorSelection : FusedAdapterSelection
{
    public GeneratorSelection(IReadOnlyList<(string Name, double Alpha)> body)
        : base(body)
    {
    }

    /// <summary>The base model without any adapter.</summary>
    public static GeneratorSelection BaseModel { get; } = new([]);

    /// <summary>A single adapter with α = 1.</summary>
    public static GeneratorSelection Single(string name) => new([(name, 1.0)]);

    /// <summary>Fuses <paramref name="adapters"/>.</summary>
    /// <exception cref="ArgumentException">No adapters, a name given twice or blank, or a non-finite α.</exception>
    public static GeneratorSelection Fusion(IReadOnlyList<(string Name, double Alpha)> adapters)
    {
        FusionArguments.Check(adapters);
        return new GeneratorSelection(adapters);
    }

    /// <inheritdoc />
    public override string ToString() => Body.Count == 0 ? "the base model (no adapter)" : DescribeBody();
}
