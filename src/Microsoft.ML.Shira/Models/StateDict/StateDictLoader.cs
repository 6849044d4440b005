namespace Microsoft.ML.Shira.Models.StateDict;

/// <summary>Copies named tensors into a module's parameters, strictly: every name and shape must match.</summary>
internal static class StateDictLoader
{
    /// <summary>Names every missing, unexpected or shape-mismatched tensor.</summary>
    private static string MismatchMessage(List<string> missing, List<string> unexpected, List<string> shapeMismatches)
    {
        var parts = new List<string>();
        if (missing.Count > 0)
            parts.Add($"missing {missing.Count} tensor(s): {string.Join(", ", missing)}");
        if (unexpected.Count > 0)
            parts.Add($"unexpected {unexpected.Count} tensor(s): {string.Join(", ", unexpected)}");
        if (shapeMismatches.Count > 0)
            parts.Add($"{shapeMismatches.Count} shape mismatch(es): {string.Join("; ", shapeMismatches)}");
        return "Checkpoint does not match the model: " + string.Join(". ", parts) + ".";
    }

    /// <summary>Formats a shape as <c>[a, b]</c>.</summary>
    public static string FormatShape(ReadOnlySpan<long> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";

    /// <summary>
    /// Copies <paramref name="stateDict"/> into the parameters of <paramref name="module"/> (by full dotted name), converting
    /// dtype and device as needed. Throws before changing anything when a parameter is missing, a tensor is unexpected
    /// (and not accepted by <paramref name="ignore"/>) or a shape differs.
    /// </summary>
    public static void Load(nn.Module module, IReadOnlyDictionary<string, Tensor> stateDict, Func<string, bool>? ignore = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(stateDict);
        var parameters = module.named_parameters().ToList();
        var known = new HashSet<string>(parameters.Select(p => p.name), StringComparer.Ordinal);

        var missing = new List<string>();
        var mismatched = new List<string>();
        foreach (var (name, parameter) in parameters)
        {
            if (!stateDict.TryGetValue(name, out var source))
                missing.Add(name);
            else if (!source.shape.AsSpan().SequenceEqual(parameter.shape))
                mismatched.Add($"{name}: checkpoint {FormatShape(source.shape)} vs model {FormatShape(parameter.shape)}");
        }
        var unexpected = stateDict.Keys
            .Where(k => !known.Contains(k) && !(ignore?.Invoke(k) ?? false))
            .OrderBy(k => k, StringComparer.Ordinal)
            .ToList();
        if (missing.Count > 0 || unexpected.Count > 0 || mismatched.Count > 0)
            throw new ShiraFormatException(MismatchMessage(missing, unexpected, mismatched));

        using var noGrad = no_grad();
        foreach (var (name, parameter) in parameters)
            parameter.copy_(stateDict[name]);
    }
}
