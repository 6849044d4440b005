namespace Microsoft.ML.Shira.Sweeps;

/// <summary>One trial a tuner proposed: its parameter values and, for cost-aware tuners, the epochs it trains for.</summary>
public sealed class SweepTrial
{
    /// <summary>A trial with the given id, values and resource.</summary>
    public SweepTrial(int id, IReadOnlyDictionary<string, object> parameters, int? epochs = null, int? continuesTrial = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Id = id;
        Parameters = new Dictionary<string, object>(parameters);
        Epochs = epochs;
        ContinuesTrial = continuesTrial;
    }

    /// <summary>1, 2, … in the order proposed.</summary>
    public int Id { get; }

    /// <summary>The value of every parameter of the space (by <see cref="SweepParameter.Name"/>).</summary>
    public IReadOnlyDictionary<string, object> Parameters { get; }

    /// <summary>Epochs set by a cost-aware tuner (the resource), or null for the space's or base options' value.</summary>
    public int? Epochs { get; }

    /// <summary>For a configuration a cost-aware tuner promoted to more epochs: the trial it promoted; else null.</summary>
    public int? ContinuesTrial { get; }

    /// <summary>The parameters as invariant text, e.g. <c>LearningRateMultiplier=0.5; MaskType=Random</c>.</summary>
    public string Describe(ShiraSearchSpace space) => string.Join("; ", Parameters.Select(p =>
        $"{p.Key}={space.Find(p.Key)?.Format(p.Value) ?? p.Value}")) + (Epochs is { } e ? $"; Epochs={e}" : "");

    /// <inheritdoc/>
    public override string ToString() => $"trial {Id}: " + string.Join("; ", Parameters.Select(p => $"{p.Key}={p.Value}"));
}
