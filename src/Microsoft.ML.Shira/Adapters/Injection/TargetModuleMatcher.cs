using System.Text.RegularExpressions;

namespace Microsoft.ML.Shira.Adapters.Injection;

/// <summary>
/// Decides which module paths an adapter targets, with PEFT's <c>target_modules</c> semantics:
/// a name matches a path equal to it or ending in <c>"." + name</c>; a regular expression must match the whole path.
/// </summary>
internal sealed class TargetModuleMatcher
{
    private readonly string[] _names;
    private readonly Regex? _regex;
    private readonly string[] _exclude;

    /// <summary>Creates a matcher from names and/or a whole-path regular expression.</summary>
    /// <exception cref="ArgumentException">Neither names nor a pattern were given.</exception>
    public TargetModuleMatcher(IEnumerable<string>? names, string? pattern = null, IEnumerable<string>? exclude = null)
    {
        _names = names?.Where(n => !string.IsNullOrWhiteSpace(n)).ToArray() ?? Array.Empty<string>();
        _regex = string.IsNullOrWhiteSpace(pattern) ? null : new Regex("^(?:" + pattern + ")$", RegexOptions.CultureInvariant);
        _exclude = exclude?.ToArray() ?? Array.Empty<string>();
        if (_names.Length == 0 && _regex is null)
            throw new ArgumentException("Give at least one target module name (e.g. \"query\", \"q_proj\") or a regular expression over module paths.");
    }

    /// <summary>Names and pattern as given, for metadata.</summary>
    public IReadOnlyList<string> Describe() => _regex is null ? _names : _names.Append(_regex.ToString()).ToArray();

    /// <summary>True when the module at <paramref name="path"/> is a target.</summary>
    public bool IsMatch(string path)
    {
        if (_exclude.Any(e => EndsWithName(path, e)))
            return false;
        return _names.Any(n => EndsWithName(path, n)) || (_regex?.IsMatch(path) ?? false);
    }

    private static bool EndsWithName(string path, string name) =>
        path == name || path.EndsWith("." + name, StringComparison.Ordinal);
}
