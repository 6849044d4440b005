namespace Microsoft.ML.Shira.Training;

/// <summary>Checks shared by the trainers' options classes; each throws naming the option.</summary>
internal static class OptionChecks
{
    public static void RequireName(string? value, string option)
    {
        if (string.IsNullOrWhiteSpace(value))
            throw new ArgumentException($"{option} must name a column (or adapter); it is empty.", option);
    }

    public static void RequirePositive(double value, string option)
    {
        if (!(value > 0) || double.IsInfinity(value))
            throw new ArgumentOutOfRangeException(option, value, $"{option} must be a positive number.");
    }

    /// <summary><c>"cpu"</c>, <c>"cuda"</c>, <c>"cuda:N"</c> or null.</summary>
    public static void RequireDevice(string? device, string option)
    {
        if (device is null)
            return;
        string name = device.Trim().ToLowerInvariant();
        bool valid = name is "cpu" or "cuda" || (name.StartsWith("cuda:", StringComparison.Ordinal) && name.Length > 5 && name[5..].All(char.IsAsciiDigit));
        if (!valid)
            throw new ArgumentException($"Device '{device}' is not supported; use \"cpu\", \"cuda\" or \"cuda:N\" (or null to follow MLContext.GpuDeviceId).", option);
    }

    /// <summary>At least one target module or a pattern.</summary>
    public static void RequireTargets(IList<string>? modules, string? pattern, string example, string option)
    {
        if ((modules is null || modules.Count == 0) && string.IsNullOrWhiteSpace(pattern))
            throw new ArgumentException($"Give at least one target module (e.g. \"{example}\") or a TargetModulesPattern.", option);
    }

    /// <summary>The optimizer and schedule options every trainer has.</summary>
    public static void RequireSchedule(double weightDecay, double warmupProportion, double maxGradNorm)
    {
        if (!(weightDecay >= 0))
            throw new ArgumentOutOfRangeException("WeightDecay", weightDecay, "WeightDecay must be non-negative.");
        if (!(warmupProportion is >= 0 and < 1))
            throw new ArgumentOutOfRangeException("WarmupProportion", warmupProportion, "WarmupProportion must be in [0, 1).");
        if (!(maxGradNorm >= 0))
            throw new ArgumentOutOfRangeException("MaxGradNorm", maxGradNorm, "MaxGradNorm must be non-negative (0 disables clipping).");
    }

    /// <summary>The loop options every trainer has.</summary>
    public static void RequireLoop(int epochs, int batchSize, int earlyStoppingPatience, int numberOfThreads, int calibrationBatches)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(epochs, 1, "Epochs");
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1, "BatchSize");
        ArgumentOutOfRangeException.ThrowIfNegative(earlyStoppingPatience, "EarlyStoppingPatience");
        ArgumentOutOfRangeException.ThrowIfNegative(numberOfThreads, "NumberOfThreads");
        ArgumentOutOfRangeException.ThrowIfLessThan(calibrationBatches, 1, "CalibrationBatches");
    }
}
