using System.Globalization;

namespace Microsoft.ML.Shira.Sweeps;

/// <summary>A continuous range <c>[Min, Max]</c>, sampled uniformly or, when <see cref="LogScale"/>, uniformly in log space.</summary>
public sealed class RangeParameter : SweepParameter
{
    /// <summary>A range of <paramref name="name"/> from <paramref name="min"/> to <paramref name="max"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The bounds are not finite, not ordered, or not positive on a log scale.</exception>
    public RangeParameter(string name, double min, double max, bool logScale = false)
        : base(name)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max) || min >= max)
            throw new ArgumentOutOfRangeException(nameof(max), $"'{name}': the range [{min}, {max}] must be finite with min < max.");
        if (logScale && min <= 0)
            throw new ArgumentOutOfRangeException(nameof(min), $"'{name}': a log-scale range needs min > 0 (was {min}).");
        Min = min;
        Max = max;
        LogScale = logScale;
    }

    /// <summary>Smallest value.</summary>
    public double Min { get; }

    /// <summary>Largest value.</summary>
    public double Max { get; }

    /// <summary>True when values are spread evenly in log space (learning rates, sparsities).</summary>
    public bool LogScale { get; }

    /// <summary>The value at position <paramref name="unit"/> ∈ [0, 1] of the (log) range.</summary>
    public double FromUnit(double unit)
    {
        unit = Math.Clamp(unit, 0, 1);
        return LogScale ? Math.Exp(Math.Log(Min) + unit * (Math.Log(Max) - Math.Log(Min))) : Min + unit * (Max - Min);
    }

    /// <summary>The position of <paramref name="value"/> in the (log) range, in [0, 1].</summary>
    public double ToUnit(double value) => Math.Clamp(
        LogScale ? (Math.Log(value) - Math.Log(Min)) / (Math.Log(Max) - Math.Log(Min)) : (value - Min) / (Max - Min), 0, 1);

    /// <inheritdoc/>
    public override object Sample(Random random) => FromUnit(random.NextDouble());

    /// <inheritdoc/>
    public override IReadOnlyList<object> GridValues(int pointsPerRange)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pointsPerRange, 1);
        return pointsPerRange == 1
            ? [FromUnit(0.5)]
            : Enumerable.Range(0, pointsPerRange).Select(i => (object)FromUnit(i / (double)(pointsPerRange - 1))).ToList();
    }

    /// <inheritdoc/>
    public override bool Contains(object value) =>
        value is double d && d >= Min * (1 - 1e-12) && d <= Max * (1 + 1e-12);

    /// <inheritdoc/>
    public override string Format(object value) => ((double)value).ToString("R", CultureInfo.InvariantCulture);

    /// <inheritdoc/>
    public override object Parse(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
}
