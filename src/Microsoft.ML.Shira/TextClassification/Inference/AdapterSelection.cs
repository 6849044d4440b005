using Microsoft.ML.Shira.Inference.Selections;

namespace Microsoft.ML.Shira.TextClassification.Inference;

/// <summary>What a transformer runs: the adapters fused into the encoder (with their α) and whose head classifies.</summary>
internal sealed class AdapterSelection : FusedAdapterSelection
{
    public AdapterSelection(IReadOnlyList<(string Name, double Alpha)> body, string head)
        : base(body)
    {
        Head = head;
    }

    /// <summary>Adapter whose head (and label set) classifies.</summary>
    public string Head { get; }

    /// <summary>All adapter names involved, the head's included.</summary>
    public override IEnumerable<string> Names => base.Names.Append(Head).Distinct(StringComparer.Ordinal);

    /// <summary>A single adapter with its own head.</summary>
    public static AdapterSelection Single(string name) => new([(name, 1.0)], name);

    /// <inheritdoc />
    public override string ToString() => DescribeBody() + (Body.Count == 1 && Body[0].Name == Head ? "" : $" with the head of '{Head}'");
}
