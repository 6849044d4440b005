using ScottPlot;

namespace Microsoft.ML.Shira.Sweeps;

/// <summary>PNG charts of a sweep: every trial's metric by trial id, and the best-so-far curve.</summary>
public static class SweepChart
{
    /// <summary>
    /// Writes a PNG of <paramref name="result"/>: succeeded trials as points, failed and cancelled ones as crosses on the axis, and a step line of the best metric so far.
    /// </summary>
    /// <param name="result">The sweep.</param>
    /// <param name="path">The PNG file, written to a temporary file and renamed into place.</param>
    /// <param name="width">Pixels.</param>
    /// <param name="height">Pixels.</param>
    /// <exception cref="ArgumentException">The sweep has no trials.</exception>
    public static void SaveChart(this ShiraSweepResult result, string path, int width = 900, int height = 480)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (result.Trials.Count == 0)
            throw new ArgumentException("The sweep has no finished trials to chart.", nameof(result));
        var plot = new Plot();
        var succeeded = result.Trials.Where(t => t.Metric is not null).ToList();
        var palette = new ScottPlot.Palettes.Category10();
        if (succeeded.Count > 0)
        {
            var points = plot.Add.ScatterPoints(succeeded.Select(t => (double)t.Id).ToArray(), succeeded.Select(t => t.Metric!.Value).ToArray());
            points.LegendText = $"{result.Metric} of each trial";
            points.MarkerSize = 8;
            points.Color = palette.GetColor(0);

            var xs = new List<double>();
            var ys = new List<double>();
            double? best = null, bestObjective = null;
            foreach (var t in result.Trials)
            {
                if (t.Objective is double o && (bestObjective is null || o > bestObjective))
                    (best, bestObjective) = (t.Metric, o);
                if (best is double b)
                {
                    xs.Add(t.Id);
                    ys.Add(b);
                }
            }
            var curve = plot.Add.ScatterLine(xs.ToArray(), ys.ToArray());
            curve.ConnectStyle = ConnectStyle.StepHorizontal;
            curve.LegendText = "best so far";
            curve.LineWidth = 2;
            curve.Color = palette.GetColor(1);
        }
        var failed = result.Trials.Where(t => t.Metric is null).ToList();
        if (failed.Count > 0)
        {
            double floor = succeeded.Count > 0 ? succeeded.Min(t => t.Metric!.Value) : 0;
            var crosses = plot.Add.ScatterPoints(failed.Select(t => (double)t.Id).ToArray(), failed.Select(_ => floor).ToArray());
            crosses.MarkerShape = MarkerShape.Cross;
            crosses.MarkerSize = 10;
            crosses.Color = Colors.Red;
            crosses.LegendText = "failed or cancelled";
        }
        plot.Title($"Sweep: {result.Trials.Count} trials, {result.Duration.TotalMinutes:F1} min");
        plot.Axes.Bottom.Label.Text = "trial";
        plot.Axes.Left.Label.Text = result.Metric + (result.Metric.IsMaximized() ? " (higher is better)" : " (lower is better)");
        if (result.Trials.Count <= 40)
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericFixedInterval(result.Trials.Count <= 20 ? 1 : 5);
        plot.ShowLegend(Edge.Bottom);

        string directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        string temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            plot.SavePng(temporary, width, height);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
                File.Delete(temporary);
        }
    }
}
