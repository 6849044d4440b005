namespace Microsoft.ML.Shira.TextClassification.Inference;

/// <summary>What a transformer runs: the adapters fused into the encoder (with their α) and whose head classifies.</summary>
internal sealed class AdapterSelection
{
    public AdapterSelection(IReadOnlyList<(string Name, double Alpha)> body, string head)
    {
        Body = body.ToArray();
        Head = head;
    }

    /// <summary>Adapters fused into the encoder weights.</summary>
    public IReadOnlyList<(string Name, double Alpha)> Body { get; }

    /// <summary>Adapter whose head (and label set) classifies.</summary>
    public string Head { get; }

    /// <summary>A single adapter with its own head.</summary>
    public static AdapterSelection Single(string name) => new([(name, 1.0)], name);

    /// <summary>True when both fuse the same adapters with the same α, in the same order.</summary>
    public bool SameBody(IReadOnlyList<(string Name, double Alpha)>? other) =>
        other is not null && other.Count == Body.Count && Body.Zip(other).All(p => p.First.Name == p.Second.Name && p.First.Alpha.Equals(p.Second.Alpha));

    /// <summary>All adapter names involved.</summary>
    public IEnumerable<string> Names => Body.Select(b => b.Name).Append(Head).Distinct(StringComparer.Ordinal);

    /// <inheritdoc />
    public override string ToString() =>
        (Body.Count == 1 && Body[0].Alpha == 1.0 ? $"'{Body[0].Name}'" : "fusion of " + string.Join(" + ", Body.Select(b => $"{b.Alpha:G4}·'{b.Name}'")))
        + (Body.Count == 1 && Body[0].Name == Head ? "" : $" with the head of '{Head}'");
}
