namespace Microsoft.ML.Shira.TextClassification;

/// <summary>
/// The linear classifier of one adapter: <c>logits = W · meanPool(h) + b</c> with <c>W</c> of shape
/// <c>[ClassCount, HiddenSize]</c>, and the label set it predicts. Every adapter of a
/// <see cref="ShiraTextClassificationTransformer"/> carries its own head, because each task has its own classes;
/// switching adapters switches both. Immutable.
/// </summary>
public sealed class ShiraClassificationHead
{
    private readonly float[] _weight;
    private readonly float[] _bias;

    /// <summary>Creates a head from its weights.</summary>
    /// <param name="weight">Row-major <c>[classCount, hiddenSize]</c> weights (copied).</param>
    /// <param name="bias">One bias per class (copied); its length is the class count.</param>
    /// <param name="classNames">Class names in key order (index 0 is key value 1); null when the label had no key values.</param>
    /// <param name="isBinary">A Boolean-label head: two classes, index 0 = false, index 1 = true.</param>
    /// <exception cref="ArgumentException">Sizes disagree, fewer than two classes, or names are missing.</exception>
    public ShiraClassificationHead(float[] weight, float[] bias, IReadOnlyList<string>? classNames = null, bool isBinary = false)
    {
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentNullException.ThrowIfNull(bias);
        if (bias.Length < 2)
            throw new ArgumentException($"A classifier head needs at least two classes; the bias has {bias.Length} entries.", nameof(bias));
        if (weight.Length == 0 || weight.Length % bias.Length != 0)
            throw new ArgumentException($"The weight has {weight.Length} entries, not a multiple of the {bias.Length} classes; expected [classes, hidden] row-major.", nameof(weight));
        if (isBinary && bias.Length != 2)
            throw new ArgumentException($"A binary head has exactly two classes (false, true); this one has {bias.Length}.", nameof(isBinary));
        if (classNames is not null)
        {
            if (classNames.Count != bias.Length)
                throw new ArgumentException($"{classNames.Count} class names for {bias.Length} classes.", nameof(classNames));
            if (classNames.Any(n => n is null))
                throw new ArgumentException("A class name is null.", nameof(classNames));
        }
        _weight = (float[])weight.Clone();
        _bias = (float[])bias.Clone();
        ClassNames = classNames?.ToArray();
        IsBinary = isBinary;
        HiddenSize = weight.Length / bias.Length;
    }

    /// <summary>Number of classes (2 for a binary head).</summary>
    public int ClassCount => _bias.Length;

    /// <summary>Width of the pooled encoder output the head reads.</summary>
    public int HiddenSize { get; }

    /// <summary>True for a Boolean-label head (outputs PredictedLabel bool, Score and Probability floats).</summary>
    public bool IsBinary { get; }

    /// <summary>Class names in key order (from the training label's key values); null when the label had none.</summary>
    public IReadOnlyList<string>? ClassNames { get; }

    /// <summary>Row-major <c>[ClassCount, HiddenSize]</c> weights.</summary>
    public IReadOnlyList<float> Weight => _weight;

    /// <summary>One bias per class.</summary>
    public IReadOnlyList<float> Bias => _bias;

    /// <summary>
    /// The training label column's annotations (with its exact <c>KeyValues</c>), when the head was trained here; the
    /// transformer copies them onto PredictedLabel so the key values keep their original type.
    /// </summary>
    internal DataViewSchema.Annotations? LabelAnnotations { get; init; }

    /// <summary>True when both heads produce the same output columns: same kind, class count and class names.</summary>
    public bool HasSameLabelsAs(ShiraClassificationHead other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (IsBinary != other.IsBinary || ClassCount != other.ClassCount)
            return false;
        if (ClassNames is null || other.ClassNames is null)
            return ClassNames is null && other.ClassNames is null;
        return ClassNames.SequenceEqual(other.ClassNames, StringComparer.Ordinal);
    }

    internal float[] WeightArray => _weight;

    internal float[] BiasArray => _bias;

    /// <summary>A short description: kind and classes.</summary>
    public override string ToString() =>
        IsBinary ? "binary (false, true)" : $"{ClassCount} classes" + (ClassNames is null ? "" : $" ({string.Join(", ", ClassNames.Take(8))}{(ClassCount > 8 ? ", …" : "")})");
}
