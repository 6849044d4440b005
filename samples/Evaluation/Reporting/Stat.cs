using System.Globalization;

namespace Microsoft.ML.Shira.Evaluation.Reporting;

/// <summary>Mean and sample standard deviation over seeds.</summary>
internal readonly record struct Stat(double Mean, double Spread, int Count)
{
    public static Stat Of(IEnumerable<double> values)
    {
        var list = values.ToList();
        if (list.Count == 0)
            return new Stat(double.NaN, 0, 0);
        double mean = list.Average();
        double spread = list.Count > 1 ? Math.Sqrt(list.Sum(v => (v - mean) * (v - mean)) / (list.Count - 1)) : 0;
        return new Stat(mean, spread, list.Count);
    }

    /// <summary>Formats as <c>mean ± spread</c> (the spread only with more than one seed).</summary>
    public string Format(string format, double scale = 1) =>
        Count > 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(Mean * scale).ToString(format, CultureInfo.InvariantCulture)} ± {(Spread * scale).ToString(format, CultureInfo.InvariantCulture)}")
            : (Mean * scale).ToString(format, CultureInfo.InvariantCulture);
}
