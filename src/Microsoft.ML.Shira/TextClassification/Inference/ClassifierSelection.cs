using Microsoft.ML.Shira.Inference;

namespace Microsoft.ML.Shira.TextClassification.Inference;

/// <summary>What a transformer runs: the adapters fused into the encoder (with their α) and whose head classifies.</summary>
internal sealed class ClassifierSelection : FusedAdapterSelection
{
    public ClassifierSelection(IReadOnlyList<(string Name, double Alpha)> body, string head)
        : base(body)
    {
        Head = head;
    }

    /// <summary>Adapter whose head (and label set) classifies.</summary>
    public string Head { get; }

    /// <summary>All adapter names involved, the head's included.</summary>
    public override IEnumerable<string> Names => base.Names.Append(Head).Distinct(StringComparer.Ordinal);

    /// <summary>A single adapter with its own head.</summary>
    public static ClassifierSelection Single(string name) => new([(name, 1.0)], name);

    /// <summary>Fuses <paramref name="adapters"/> with the head of <paramref name="head"/> (default: the first adapter).</summary>
    /// <exception cref="ArgumentException">No adapters, a name given twice or blank, or a non-finite α.</exception>
    public static ClassifierSelection Fusion(IReadOnlyList<(string Name, double Alpha)> adapters, string? head)
    {
        FusionArguments.Check(adapters);
        return new ClassifierSelection(adapters, head ?? adapters[0].Name);
    }

    /// <inheritdoc />
    public override string ToString() => DescribeBody() + (Body.Count == 1 && Body[0].Name == Head ? "" : $" with the head of '{Head}'");
}
