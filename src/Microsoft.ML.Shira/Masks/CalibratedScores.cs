namespace Microsoft.ML.Shira.Masks;

/// <summary>Top-k selection over per-layer scores computed by <see cref="MaskCalibration"/>.</summary>
internal static class CalibratedScores
{
    /// <summary>Checks the scores and returns an ordinal copy of the dictionary (the tensors are shared, not copied).</summary>
    public static IReadOnlyDictionary<string, Tensor> Capture(IReadOnlyDictionary<string, Tensor> scores, string paramName)
    {
        ArgumentNullException.ThrowIfNull(scores, paramName);
        var copy = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (path, score) in scores)
        {
            if (score is null)
                throw new ArgumentException($"The score tensor of layer '{path}' is null.", paramName);
            copy.Add(path, score);
        }
        return copy;
    }

    /// <summary>Returns the <paramref name="count"/> positions of largest score of the layer at <paramref name="modulePath"/>.</summary>
    public static Tensor Select(IReadOnlyDictionary<string, Tensor> scores, MaskType type, string modulePath, Tensor weight, long count)
    {
        MaskArguments.Validate(modulePath, weight, count);
        if (!scores.TryGetValue(modulePath, out var score))
        {
            throw new KeyNotFoundException(
                $"Layer '{modulePath}' has no {type} score. Include it among the targets of MaskCalibration.ComputeScores " +
                $"(scored layers: {(scores.Count == 0 ? "none" : string.Join(", ", scores.Keys.Order(StringComparer.Ordinal)))}).");
        }
        if (score.IsInvalid)
            throw new ObjectDisposedException(nameof(scores), $"Layer '{modulePath}': its {type} score tensor has been disposed.");
        if (!score.shape.SequenceEqual(weight.shape))
        {
            throw new ArgumentException(
                $"Layer '{modulePath}': the {type} score has shape {MaskArguments.Shape(score)} but the weight has shape {MaskArguments.Shape(weight)}.",
                nameof(weight));
        }
        using var scope = NewDisposeScope();
        var onDevice = score.detach().to(ScalarType.Float32, weight.device);
        return StableTopK.Select(onDevice, count, modulePath).MoveToOuterDisposeScope();
    }
}
