using System.Globalization;
using ScottPlot;

/// <summary>The value axis of one chart panel: its unit, linear or log10, and where the bars start and the data end.</summary>
/// <param name="Unit">The axis unit, chosen from the largest median.</param>
/// <param name="Log">Whether the axis is log10 of the value in <paramref name="Unit"/>.</param>
/// <param name="Start">Where bars start, in axis coordinates (0, or a decade below the smallest median).</param>
/// <param name="End">The largest median in axis coordinates.</param>
public sealed record PanelScale(TimeUnit Unit, bool Log, double Start, double End)
{
    /// <summary>The axis spans this many times the bars' extent, leaving room on the right for the labels.</summary>
    public const double LabelRoom = 1.6;

    /// <summary>A linear axis from 0, or a log axis when the (positive) medians span more than <paramref name="logThreshold"/>×.</summary>
    public static PanelScale For(IReadOnlyList<double> nanoseconds, double logThreshold)
    {
        double min = nanoseconds.Min(), max = nanoseconds.Max();
        var unit = TimeUnit.For(max);
        if (min <= 0 || max / min <= logThreshold)
            return new PanelScale(unit, false, 0, max / unit.Nanoseconds);
        // Start a decade lower when the smallest median sits just above a decade, so its bar stays visible.
        double low = Math.Log10(min / unit.Nanoseconds);
        return new PanelScale(unit, true, Math.Floor(low - 0.3), Math.Log10(max / unit.Nanoseconds));
    }

    /// <summary>A value in nanoseconds in axis coordinates.</summary>
    public double X(double nanoseconds) => Log ? Math.Log10(nanoseconds / Unit.Nanoseconds) : nanoseconds / Unit.Nanoseconds;

    /// <summary>Log axis ticks: labelled decades (0.1, 1, 10, 1,000 …) and unlabelled minor ticks at 2–9 × each decade.</summary>
    public IEnumerable<Tick> LogTicks()
    {
        // Not at the right edge, where the label would be cut.
        int last = (int)Math.Floor(Start + (End - Start) * LabelRoom - 0.1);
        for (int decade = (int)Start; decade <= last; decade++)
        {
            yield return new Tick(decade, Math.Pow(10, decade).ToString("#,##0.###", CultureInfo.InvariantCulture));
            for (int k = 2; k <= 9; k++)
                yield return Tick.Minor(decade + Math.Log10(k));
        }
    }
}
