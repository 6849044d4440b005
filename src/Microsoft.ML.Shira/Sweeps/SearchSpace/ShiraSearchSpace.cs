using Microsoft.ML.Shira.Masks;

namespace Microsoft.ML.Shira.Sweeps;

/// <summary>
/// What a sweep searches: a set of <see cref="SweepParameter"/>s over trainer settings. Settings not in the space keep
/// the experiment's base options.
/// </summary>
/// <example>
/// <code>
/// var space = new ShiraSearchSpace()
///     .Add(new ChoiceParameter(SweepParameterNames.Method, FineTuningMethod.Shira, FineTuningMethod.Lora))
///     .Add(new RangeParameter(SweepParameterNames.LearningRateMultiplier, 0.25, 4, logScale: true))
///     .Add(new ChoiceParameter(SweepParameterNames.Sparsity, 0.005, 0.01, 0.02));
/// </code>
/// </example>
public sealed class ShiraSearchSpace
{
    private readonly List<SweepParameter> _parameters = [];

    /// <summary>The parameters, in the order added.</summary>
    public IReadOnlyList<SweepParameter> Parameters => _parameters;

    /// <summary>Adds <paramref name="parameter"/>; returns this space.</summary>
    /// <exception cref="ArgumentException">The name is not one of <see cref="SweepParameterNames.All"/> or is already in the space.</exception>
    public ShiraSearchSpace Add(SweepParameter parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        if (!SweepParameterNames.All.Contains(parameter.Name))
            throw new ArgumentException($"'{parameter.Name}' is not a sweepable setting; use one of {string.Join(", ", SweepParameterNames.All)}.", nameof(parameter));
        if (_parameters.Any(p => p.Name == parameter.Name))
            throw new ArgumentException($"'{parameter.Name}' is already in the search space.", nameof(parameter));
        if (parameter.Name == SweepParameterNames.LearningRate && _parameters.Any(p => p.Name == SweepParameterNames.LearningRateMultiplier)
            || parameter.Name == SweepParameterNames.LearningRateMultiplier && _parameters.Any(p => p.Name == SweepParameterNames.LearningRate))
            throw new ArgumentException("A space sets the learning rate either absolutely (LearningRate) or relative to the method's default (LearningRateMultiplier), not both.", nameof(parameter));
        _parameters.Add(parameter);
        return this;
    }

    /// <summary>The parameter named <paramref name="name"/>, or null.</summary>
    public SweepParameter? Find(string name) => _parameters.FirstOrDefault(p => p.Name == name);

    /// <summary>
    /// The space a sweep uses when none is given: the learning rate from ¼× to 4× the method's default (log scale),
    /// the mask (random or weight magnitude: neither needs calibration) and the sparsity (0.5%, 1%, 2%). Chosen from
    /// the defaults study in docs/evaluation.md: the learning rate mattered most, and these masks and budgets were
    /// within a point of each other at the defaults.
    /// </summary>
    public static ShiraSearchSpace Default() => new ShiraSearchSpace()
        .Add(new RangeParameter(SweepParameterNames.LearningRateMultiplier, 0.25, 4, logScale: true))
        .Add(new ChoiceParameter(SweepParameterNames.MaskType, MaskType.Random, MaskType.WeightMagnitude))
        .Add(new ChoiceParameter(SweepParameterNames.Sparsity, 0.005, 0.01, 0.02));

    /// <inheritdoc/>
    public override string ToString() => string.Join("; ", _parameters.Select(p => p.Name));
}
