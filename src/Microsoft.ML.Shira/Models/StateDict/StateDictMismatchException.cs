namespace Microsoft.ML.Shira.Models.StateDict;

/// <summary>
/// A checkpoint's tensors do not fit a model: some are missing, unexpected or of another shape.
/// The message names every offending tensor.
/// </summary>
public sealed class StateDictMismatchException : InvalidOperationException
{
    /// <summary>Creates the exception from the lists of offending tensor names.</summary>
    public StateDictMismatchException(IReadOnlyList<string> missing, IReadOnlyList<string> unexpected, IReadOnlyList<string> shapeMismatches)
        : base(BuildMessage(missing, unexpected, shapeMismatches))
    {
        Missing = missing;
        Unexpected = unexpected;
        ShapeMismatches = shapeMismatches;
    }

    /// <summary>Model parameters the checkpoint has no tensor for.</summary>
    public IReadOnlyList<string> Missing { get; }

    /// <summary>Checkpoint tensors the model has no parameter for.</summary>
    public IReadOnlyList<string> Unexpected { get; }

    /// <summary>One line per tensor whose shape differs: <c>name: checkpoint [..] vs model [..]</c>.</summary>
    public IReadOnlyList<string> ShapeMismatches { get; }

    private static string BuildMessage(IReadOnlyList<string> missing, IReadOnlyList<string> unexpected, IReadOnlyList<string> shapeMismatches)
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
}
