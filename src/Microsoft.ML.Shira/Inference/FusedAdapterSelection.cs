namespace Microsoft.ML.Shira.Inference;

/// <summary>What a transformer runs: the adapters fused into the base model's weights, each with its α.</summary>
internal abstract class FusedAdapterSelection
{
    protected FusedAdapterSelection(IReadOnlyList<(string Name, double Alpha)> body) => Body = body.ToArray();

    /// <summary>Adapters fused into the weights.</summary>
    public IReadOnlyList<(string Name, double Alpha)> Body { get; }

    /// <summary>All adapter names involved.</summary>
    public virtual IEnumerable<string> Names => Body.Select(b => b.Name);

    /// <summary>True when both fuse the same adapters with the same α, in the same order.</summary>
    public bool SameBody(IReadOnlyList<(string Name, double Alpha)>? other) =>
        other is not null && other.Count == Body.Count && Body.Zip(other).All(p => p.First.Name == p.Second.Name && p.First.Alpha.Equals(p.Second.Alpha));

    /// <summary>Throws when this selection, the one a transformer runs, involves adapter <paramref name="name"/> (which therefore cannot be removed).</summary>
    /// <exception cref="InvalidOperationException">The selection involves the adapter.</exception>
    public void ThrowIfInvolves(string name)
    {
        if (Names.Contains(name, StringComparer.Ordinal))
            throw new InvalidOperationException($"Adapter '{name}' is in use by this transformer ({this}); switch to another adapter before removing it.");
    }

    /// <summary>The fused adapters for messages: the name of a single adapter with α = 1, otherwise the weighted sum.</summary>
    protected string DescribeBody() =>
        Body.Count == 1 && Body[0].Alpha == 1.0 ? $"'{Body[0].Name}'" : "fusion of " + string.Join(" + ", Body.Select(b => $"{b.Alpha:G4}·'{b.Name}'"));
}
