using System.Diagnostics;
using Spectre.Console;

namespace Microsoft.ML.Shira.Evaluation.Runs;

/// <summary>Console progress: one line per finished run with the elapsed time and an estimate of the rest.</summary>
internal sealed class RunLog
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private int _done;

    public RunLog(int plannedRuns) => Planned = plannedRuns;

    public int Planned { get; set; }

    public TimeSpan Elapsed => _clock.Elapsed;

    public void Starting(string what) =>
        AnsiConsole.MarkupLine($"[grey]{Format(_clock.Elapsed)}[/] [[{_done + 1}/{Planned}]] {Markup.Escape(what)} …");

    public void Finished(RunResult result)
    {
        _done++;
        var remaining = _done == 0 ? TimeSpan.Zero : _clock.Elapsed / _done * Math.Max(0, Planned - _done);
        AnsiConsole.MarkupLine(
            $"[grey]{Format(_clock.Elapsed)}[/]   [green]acc {result.Accuracy:F4}[/] macro-F1 {result.MacroF1:F4}, trainable {result.TrainableEncoderParameters:N0}, " +
            $"changed {result.ChangedShare:P2}, {result.TrainSeconds:F0} s, peak +{result.PeakMemoryMb:F0} MB [grey](about {Format(remaining)} left)[/]");
    }

    /// <summary>Ends a run that is not a classification result, with a one-line summary.</summary>
    public void Done(string summary)
    {
        _done++;
        var remaining = _clock.Elapsed / _done * Math.Max(0, Planned - _done);
        AnsiConsole.MarkupLine($"[grey]{Format(_clock.Elapsed)}[/]   [green]{Markup.Escape(summary)}[/] [grey](about {Format(remaining)} left)[/]");
    }

    public static void Note(string text) => AnsiConsole.MarkupLine($"[grey]{DateTime.Now:HH:mm:ss}[/] [yellow]{Markup.Escape(text)}[/]");

    private static string Format(TimeSpan time) => $"{(int)time.TotalMinutes:00}:{time.Seconds:00}";
}
