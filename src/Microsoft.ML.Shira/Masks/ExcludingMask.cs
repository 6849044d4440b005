namespace Microsoft.ML.Shira.Masks;

/// <summary>
/// Wraps a mask so that it never picks given positions: for non-overlapping adapters whose fusion cannot interfere
/// entry by entry (Bhardwaj et al., 2024, §4.3). For each layer it asks the inner strategy for
/// <c>count + e</c> candidates (e = excluded positions of that layer), drops the excluded ones, and keeps
/// <c>count</c> of the rest chosen uniformly at random with a per-layer seed.
/// </summary>
/// <remarks>
/// With a <see cref="RandomMask"/> inside, the result is a uniform random <c>count</c>-subset of the allowed positions.
/// With a score mask (weight magnitude, gradient, SNIP) it is a random <c>count</c>-subset of the top <c>count + e</c>
/// allowed-or-not candidates, i.e. close to, but not exactly, the top <c>count</c> allowed positions.
/// </remarks>
public sealed class ExcludingMask : IMaskStrategy
{
    private readonly IMaskStrategy _inner;
    private readonly int _seed;
    private readonly Dictionary<string, HashSet<long>> _excluded = new(StringComparer.Ordinal);

    /// <summary><paramref name="inner"/> itself when there is nothing to avoid, else an <see cref="ExcludingMask"/> around it.</summary>
    internal static IMaskStrategy Around(IMaskStrategy inner, IReadOnlyCollection<(string ModulePath, long[] FlatIndices)> exclude, int seed) =>
        exclude.Count == 0 ? inner : new ExcludingMask(inner, exclude, seed);

    /// <summary>Creates a mask that avoids the given positions of each layer.</summary>
    /// <param name="inner">The strategy that proposes candidates.</param>
    /// <param name="exclude">
    /// Positions to avoid: row-major flat indices (<c>row·in + column</c>) per module path, e.g. every layer of the
    /// adapters a new one must not overlap (<c>adapter.Layers.Values.Select(l =&gt; (l.ModulePath, l.FlatIndices()))</c>).
    /// A module path may appear several times.
    /// </param>
    /// <param name="seed">Seed of the random thinning of the candidates.</param>
    public ExcludingMask(IMaskStrategy inner, IEnumerable<(string ModulePath, long[] FlatIndices)> exclude, int seed)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(exclude);
        _inner = inner;
        _seed = seed;
        foreach (var (modulePath, flatIndices) in exclude)
        {
            ArgumentNullException.ThrowIfNull(modulePath, nameof(exclude));
            ArgumentNullException.ThrowIfNull(flatIndices, nameof(exclude));
            if (!_excluded.TryGetValue(modulePath, out var set))
                _excluded[modulePath] = set = new HashSet<long>();
            set.UnionWith(flatIndices);
        }
    }

    /// <inheritdoc />
    public MaskType Type => _inner.Type;

    /// <summary>Number of excluded positions of the layer at <paramref name="modulePath"/>.</summary>
    public int ExcludedCount(string modulePath) => _excluded.TryGetValue(modulePath, out var set) ? set.Count : 0;

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The layer has fewer than <paramref name="count"/> allowed positions.</exception>
    public Tensor SelectIndices(string modulePath, Tensor weight, long count)
    {
        var (outFeatures, inFeatures) = MaskArguments.Validate(modulePath, weight, count);
        if (!_excluded.TryGetValue(modulePath, out var excluded) || excluded.Count == 0)
            return _inner.SelectIndices(modulePath, weight, count);
        long total = outFeatures * inFeatures;
        if (total - excluded.Count < count)
            throw new InvalidOperationException(
                $"Layer '{modulePath}': {count} positions are wanted but only {total - excluded.Count} of {total} are not excluded.");

        long[] candidates;
        using (var proposed = _inner.SelectIndices(modulePath, weight, Math.Min(total, count + excluded.Count)))
            candidates = proposed.cpu().data<long>().Where(i => !excluded.Contains(i)).ToArray();
        if (candidates.Length > count)
        {
            new Random(unchecked((int)MaskSeed.ForLayer(_seed, modulePath))).Shuffle(candidates);
            candidates = candidates[..(int)count];
        }
        Array.Sort(candidates);
        return tensor(candidates, dtype: ScalarType.Int64);
    }
}
