using System.Globalization;

namespace Microsoft.ML.Shira.Sweeps;

/// <summary>
/// One dimension of a <see cref="ShiraSearchSpace"/>: a named trainer setting (see <see cref="SweepParameterNames"/>)
/// and the values a tuner may give it. Values are <see cref="double"/>, <see cref="int"/> or <see cref="string"/>
/// (enum members and target-module sets are strings), so that a trial's parameters travel between machines as text.
/// </summary>
public abstract class SweepParameter
{
    private protected SweepParameter(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
    }

    /// <summary>The trainer setting this parameter sets (one of <see cref="SweepParameterNames"/>).</summary>
    public string Name { get; }

    /// <summary>A value drawn from the parameter's prior.</summary>
    public abstract object Sample(Random random);

    /// <summary>The values a grid search visits: every choice, or <paramref name="pointsPerRange"/> evenly spaced points of a range.</summary>
    public abstract IReadOnlyList<object> GridValues(int pointsPerRange);

    /// <summary>True when <paramref name="value"/> is a value this parameter can take.</summary>
    public abstract bool Contains(object value);

    /// <summary>The value as invariant text (what leaderboards and remote trials carry).</summary>
    public virtual string Format(object value) => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";

    /// <summary>Reads a value written by <see cref="Format"/>.</summary>
    public abstract object Parse(string text);
}
