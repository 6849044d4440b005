namespace Microsoft.ML.Shira.TextGeneration.Inference;

/// <summary>What a text generator runs: the adapters fused into the decoder's weights with their α; none means the base model.</summary>
internal sealed class DecoderAdapterSelection
{
    public DecoderAdapterSelection(IReadOnlyList<(string Name, double Alpha)> body) => Body = body.ToArray();

    /// <summary>The base model without any adapter.</summary>
    public static DecoderAdapterSelection BaseModel { get; } = new([]);

    /// <summary>Adapters fused into the weights (empty for the base model).</summary>
    public IReadOnlyList<(string Name, double Alpha)> Body { get; }

    /// <summary>All adapter names involved.</summary>
    public IEnumerable<string> Names => Body.Select(b => b.Name);

    /// <summary>A single adapter with α = 1.</summary>
    public static DecoderAdapterSelection Single(string name) => new([(name, 1.0)]);

    /// <summary>True when both fuse the same adapters with the same α, in the same order.</summary>
    public bool SameBody(IReadOnlyList<(string Name, double Alpha)>? other) =>
        other is not null && other.Count == Body.Count && Body.Zip(other).All(p => p.First.Name == p.Second.Name && p.First.Alpha.Equals(p.Second.Alpha));

    /// <inheritdoc />
    public override string ToString() => Body.Count switch
    {
        0 => "the base model (no adapter)",
        1 when Body[0].Alpha == 1.0 => $"'{Body[0].Name}'",
        _ => "fusion of " + string.Join(" + ", Body.Select(b => $"{b.Alpha:G4}·'{b.Name}'")),
    };
}
