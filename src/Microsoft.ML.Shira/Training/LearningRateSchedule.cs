namespace Microsoft.ML.Shira.Training;

/// <summary>Linear warm-up to the peak learning rate, then linear decay to zero over the remaining steps.</summary>
/// <param name="TotalSteps">Optimizer steps of the whole run.</param>
/// <param name="WarmupSteps">Steps of the warm-up (0 for none).</param>
internal readonly record struct LearningRateSchedule(int TotalSteps, int WarmupSteps)
{
    /// <summary>The schedule of <paramref name="totalSteps"/> steps whose first <paramref name="warmupProportion"/> warm up.</summary>
    public static LearningRateSchedule Linear(int totalSteps, double warmupProportion) =>
        new(totalSteps, (int)Math.Round(warmupProportion * totalSteps));

    /// <summary>The share of the peak learning rate used at 0-based <paramref name="step"/>.</summary>
    public double FactorAt(int step)
    {
        if (WarmupSteps > 0 && step < WarmupSteps)
            return (double)(step + 1) / WarmupSteps;
        int decaySteps = Math.Max(1, TotalSteps - WarmupSteps);
        return Math.Max(0.0, (double)(TotalSteps - step) / decaySteps);
    }
}
