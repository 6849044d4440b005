using System.Globalization;

namespace Microsoft.ML.Shira.Sweeps;

/// <summary>
/// One of a fixed list of values: fine-tuning methods, mask types, target-module sets (comma-separated names), or
/// numbers. Enum members are given as enums and kept as their names.
/// </summary>
public sealed class ChoiceParameter : SweepParameter
{
    /// <summary>A choice of <paramref name="name"/> among <paramref name="values"/> (at least one, no repeats).</summary>
    /// <exception cref="ArgumentException">No values, a repeated value, or a value that is not a number, string or enum.</exception>
    public ChoiceParameter(string name, params object[] values)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length == 0)
            throw new ArgumentException($"'{name}': a choice needs at least one value.", nameof(values));
        Values = values.Select(v => Normalize(name, v)).ToList();
        if (Values.Distinct().Count() != Values.Count)
            throw new ArgumentException($"'{name}': a value is listed twice ({string.Join(", ", Values)}).", nameof(values));
    }

    /// <summary>The values, in the order given (enum members as their names).</summary>
    public IReadOnlyList<object> Values { get; }

    /// <inheritdoc/>
    public override object Sample(Random random) => Values[random.Next(Values.Count)];

    /// <inheritdoc/>
    public override IReadOnlyList<object> GridValues(int pointsPerRange) => Values;

    /// <inheritdoc/>
    public override bool Contains(object value) => Values.Contains(value);

    /// <summary>The index of <paramref name="value"/> in <see cref="Values"/>.</summary>
    public int IndexOf(object value) => Values.ToList().IndexOf(value);

    /// <inheritdoc/>
    public override object Parse(string text)
    {
        var match = Values.FirstOrDefault(v => Format(v) == text);
        return match ?? throw new FormatException($"'{Name}': '{text}' is not one of its choices ({string.Join(", ", Values.Select(Format))}).");
    }

    private static object Normalize(string name, object value) => value switch
    {
        Enum e => e.ToString(),
        string s => s,
        IEnumerable<string> modules => string.Join(",", modules),
        double or int => value,
        float f => (double)f,
        long l when l is >= int.MinValue and <= int.MaxValue => (int)l,
        null => throw new ArgumentException($"'{name}': a choice cannot be null.", nameof(value)),
        _ => throw new ArgumentException($"'{name}': {value.GetType().Name} values are not supported (use numbers, strings or enums).", nameof(value)),
    };

    /// <inheritdoc/>
    public override string Format(object value) => value is double d ? d.ToString("R", CultureInfo.InvariantCulture) : base.Format(value);
}
