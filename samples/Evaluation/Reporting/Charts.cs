using Microsoft.ML.Shira.Evaluation.Data;
using ScottPlot;

namespace Microsoft.ML.Shira.Evaluation.Reporting;

/// <summary>PNG charts of the results (ScottPlot): grouped bars with one group per task and one color per series.</summary>
internal static class Charts
{
    private static readonly Color[] Palette = new ScottPlot.Palettes.Category10().Colors;

    /// <summary>Grouped bars: <paramref name="values"/>[series][group], NaN for missing.</summary>
    public static void GroupedBars(string path, string title, string yLabel, IReadOnlyList<string> groups, IReadOnlyList<string> series,
        double[][] values, double[][]? errors = null, double? yMin = null, int width = 1100, int height = 520)
    {
        var plot = new Plot();
        var bars = new List<Bar>();
        int count = series.Count;
        for (int g = 0; g < groups.Count; g++)
        {
            for (int s = 0; s < count; s++)
            {
                double value = values[s][g];
                if (double.IsNaN(value))
                    continue;
                double error = errors?[s][g] ?? 0;
                bars.Add(new Bar
                {
                    Position = g * (count + 1) + s,
                    Value = value,
                    ValueBase = yMin ?? 0,
                    Error = error,
                    FillColor = Palette[s % Palette.Length],
                    // The outline width is also the error whiskers' width.
                    LineWidth = 1,
                    LineColor = Colors.Black,
                    ErrorSize = 0.4,
                });
            }
        }
        plot.Add.Bars(bars);
        var ticks = groups.Select((name, g) => new Tick(g * (count + 1) + (count - 1) / 2.0, name)).ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks);
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        for (int s = 0; s < count; s++)
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = series[s], FillColor = Palette[s % Palette.Length] });
        plot.Legend.Alignment = Alignment.UpperRight;
        plot.ShowLegend(Edge.Right);
        plot.Title(title);
        plot.Axes.Left.Label.Text = yLabel;
        if (yMin is { } min)
            plot.Axes.SetLimitsY(min, Math.Max(min + 0.05, bars.Count == 0 ? 1 : bars.Max(b => b.Value + b.Error) + 0.02));
        else if (bars.Count > 0)
        {
            double low = Math.Min(0, bars.Min(b => b.Value - b.Error)), high = Math.Max(0, bars.Max(b => b.Value + b.Error));
            double pad = (high - low) * 0.04;
            plot.Axes.SetLimitsY(low < 0 ? low - pad : 0, high + pad);
        }
        plot.SavePng(path, width, height);
    }

    public static IReadOnlyList<string> Titles(IEnumerable<TaskData> tasks) => tasks.Select(t => t.Title).ToList();
}
