namespace Microsoft.ML.Shira.Sweeps;

/// <summary>How a trial ended.</summary>
public enum SweepTrialStatus
{
    /// <summary>Trained and scored.</summary>
    Succeeded,

    /// <summary>Threw (including a non-finite loss); the error is recorded and the sweep went on.</summary>
    Failed,

    /// <summary>Stopped by the sweep's cancellation or time budget.</summary>
    Cancelled,
}
