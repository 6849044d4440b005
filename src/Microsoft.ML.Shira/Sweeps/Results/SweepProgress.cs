namespace Microsoft.ML.Shira.Sweeps;

/// <summary>A trial starting (<see cref="Result"/> null) or finished.</summary>
/// <param name="Trial">The trial.</param>
/// <param name="Result">Its result once finished; null when it starts.</param>
/// <param name="Started">Trials started so far.</param>
/// <param name="MaxTrials">The sweep's trial budget.</param>
/// <param name="Elapsed">Time since the sweep started.</param>
public sealed record SweepProgress(SweepTrial Trial, SweepTrialResult? Result, int Started, int MaxTrials, TimeSpan Elapsed);
