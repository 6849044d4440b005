using System.Globalization;

namespace Microsoft.ML.Shira.Sweeps;

/// <summary>The integers <c>Min..Max</c> (epochs, batch sizes, LoRA/SHiRA ranks), sampled uniformly or in log space.</summary>
public sealed class IntegerParameter : SweepParameter
{
    private readonly RangeParameter _range;

    /// <summary>The integers from <paramref name="min"/> to <paramref name="max"/> inclusive.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="min"/> ≥ <paramref name="max"/>, or not positive on a log scale.</exception>
    public IntegerParameter(string name, int min, int max, bool logScale = false)
        : base(name)
    {
        Min = min;
        Max = max;
        // Sampled on [min − ½, max + ½] so that both ends are as likely as the values between them.
        _range = new RangeParameter(name, logScale ? Math.Max(min - 0.5, min * 0.5) : min - 0.5, max + 0.5, logScale);
    }

    /// <summary>Smallest value.</summary>
    public int Min { get; }

    /// <summary>Largest value.</summary>
    public int Max { get; }

    /// <summary>True when values are spread evenly in log space.</summary>
    public bool LogScale => _range.LogScale;

    /// <summary>The integer at position <paramref name="unit"/> ∈ [0, 1].</summary>
    public int FromUnit(double unit) => Math.Clamp((int)Math.Round(_range.FromUnit(unit), MidpointRounding.AwayFromZero), Min, Max);

    /// <summary>The position of <paramref name="value"/>, in [0, 1].</summary>
    public double ToUnit(int value) => _range.ToUnit(value);

    /// <inheritdoc/>
    public override object Sample(Random random) => FromUnit(random.NextDouble());

    /// <inheritdoc/>
    public override IReadOnlyList<object> GridValues(int pointsPerRange)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pointsPerRange, 1);
        if (Max - Min + 1 <= pointsPerRange)
            return Enumerable.Range(Min, Max - Min + 1).Select(v => (object)v).ToList();
        var inner = new RangeParameter(Name, Min, Max, LogScale);
        return inner.GridValues(pointsPerRange).Select(v => (int)Math.Round((double)v, MidpointRounding.AwayFromZero)).Distinct().Select(v => (object)v).ToList();
    }

    /// <inheritdoc/>
    public override bool Contains(object value) => value is int i && i >= Min && i <= Max;

    /// <inheritdoc/>
    public override object Parse(string text) => int.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture);
}
