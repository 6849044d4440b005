using System.Globalization;
using ScottPlot;

/// <summary>
/// One PNG per report: a panel per parameter set, one horizontal bar per method (its median), each bar labelled with the
/// median, BenchmarkDotNet's ratio to the baseline and, when the method is at least twice as fast, the speed-up of the
/// medians. A panel whose medians span more than <see cref="LogThreshold"/>× uses a log axis.
/// </summary>
public static class BenchmarkChart
{
    /// <summary>Above this max/min ratio of a panel's medians its axis is logarithmic.</summary>
    public const double LogThreshold = 10;

    private const int Width = 800;
    private static readonly Color[] Palette = new ScottPlot.Palettes.Category10().Colors;

    /// <summary>Writes the chart of <paramref name="report"/> to <paramref name="path"/>.</summary>
    public static void Write(BenchmarkReport report, string path)
    {
        var (title, operation) = ChartDescriptions.For(report.ClassName);
        var sets = report.ParameterSets;
        var panels = new List<Plot>();
        int height = 0;
        for (int i = 0; i < sets.Count; i++)
        {
            var rows = report.In(sets[i]);
            string panelTitle = sets[i].Length == 0 ? title : i == 0 ? $"{title}\n{Spaced(sets[i])}" : Spaced(sets[i]);
            panels.Add(Panel(rows, BaselineMethods.Find(report, sets[i]), report.Methods, panelTitle, operation));
            height += 100 + 34 * rows.Count;
        }
        // A new Multiplot holds one empty plot; start from the first panel instead.
        var multiplot = new Multiplot();
        multiplot.Reset(panels[0]);
        foreach (var panel in panels.Skip(1))
            multiplot.AddPlot(panel);
        multiplot.SavePng(path, Width, Math.Max(300, height));
    }

    private static Plot Panel(IReadOnlyList<BenchmarkResult> rows, string? baseline, IReadOnlyList<string> methods, string title, string operation)
    {
        var plot = new Plot();
        var scale = PanelScale.For(rows.Select(r => r.MedianNanoseconds).ToList(), LogThreshold);
        double baselineNs = rows.FirstOrDefault(r => r.Method == baseline)?.MedianNanoseconds ?? double.NaN;
        var bars = rows.Select((row, i) => new Bar
        {
            Position = rows.Count - 1 - i,
            Value = scale.X(row.MedianNanoseconds),
            ValueBase = scale.Start,
            Size = 0.7,
            FillColor = row.Method == baseline ? Colors.Gray : Palette[methods.ToList().IndexOf(row.Method) % Palette.Length],
            LineWidth = 0,
        }).ToList();
        plot.Add.Bars(bars).Horizontal = true;
        if (!double.IsNaN(baselineNs))
        {
            var line = plot.Add.VerticalLine(scale.X(baselineNs), 1, Colors.Gray);
            line.LinePattern = LinePattern.Dashed;
        }
        // Labels last, on white, so the baseline line does not cross them.
        for (int i = 0; i < rows.Count; i++)
        {
            var label = plot.Add.Text(Label(rows[i], baseline, baselineNs), bars[i].Value, bars[i].Position);
            label.LabelAlignment = Alignment.MiddleLeft;
            label.OffsetX = 6;
            label.LabelFontSize = 13;
            label.LabelBackgroundColor = Colors.White;
        }

        var methodTicks = rows.Select((r, i) => new Tick(rows.Count - 1 - i, r.Method)).ToArray();
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(methodTicks);
        plot.Axes.Left.MajorTickStyle.Length = 0;
        plot.Axes.Left.TickLabelStyle.FontSize = 13;
        if (scale.Log)
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(scale.LogTicks().ToArray());
        plot.Axes.Bottom.Label.Text = $"median time {operation} ({scale.Unit.Symbol}{(scale.Log ? ", log scale" : "")})";
        plot.Axes.Bottom.Label.FontSize = 13;
        plot.Title(title, 15);
        // Room on the right for the labels of the longest bars.
        plot.Axes.SetLimits(scale.Start, scale.Start + (scale.End - scale.Start) * PanelScale.LabelRoom, -0.6, rows.Count - 0.4);
        return plot;
    }

    private static string Label(BenchmarkResult row, string? baseline, double baselineNs)
    {
        string median = TimeUnit.Format(row.MedianNanoseconds);
        if (row.Method == baseline)
            return $"{median} (baseline)";
        if (row.Ratio is null)
            return row.MeanNanoseconds is { } mean ? $"{median} (mean {TimeUnit.Format(mean)})" : median;
        double speedUp = baselineNs / row.MedianNanoseconds;
        string faster = speedUp >= 2 ? $", {speedUp.ToString(speedUp >= 100 ? "N0" : "N1", CultureInfo.InvariantCulture)}× faster" : "";
        return $"{median}  ratio {row.RatioText}{faster}";
    }

    private static string Spaced(string parameterSet) => parameterSet.Replace("=", " = ", StringComparison.Ordinal);
}
