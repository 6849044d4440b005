namespace Microsoft.ML.Shira.Inference;

/// <summary>Checks the adapters a caller asks to fuse, as given to the transformers and the catalog.</summary>
internal static class FusionArguments
{
    /// <summary>Throws unless <paramref name="adapters"/> names at least one adapter, each once, with a finite α.</summary>
    /// <exception cref="ArgumentException">No adapters, a name given twice or blank, or a non-finite α.</exception>
    public static void Check(IReadOnlyList<(string Name, double Alpha)> adapters)
    {
        ArgumentNullException.ThrowIfNull(adapters);
        if (adapters.Count == 0)
            throw new ArgumentException("Fusion needs at least one adapter.", nameof(adapters));
        foreach (var (name, alpha) in adapters)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(name, nameof(adapters));
            if (!double.IsFinite(alpha))
                throw new ArgumentException($"Adapter '{name}' has α = {alpha}; α must be a finite number.", nameof(adapters));
        }
        var duplicate = adapters.GroupBy(a => a.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ArgumentException($"Adapter '{duplicate.Key}' is listed twice; give each adapter once with its α.", nameof(adapters));
    }
}
