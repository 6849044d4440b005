namespace Microsoft.ML.Shira.TextClassification;

/// <summary>Progress of SHiRA fine-tuning, reported after every optimizer step and after every epoch's validation.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Epochs">Epochs planned (training may stop earlier on early stopping).</param>
/// <param name="Step">1-based optimizer step over the whole run.</param>
/// <param name="TotalSteps">Steps planned over all epochs.</param>
/// <param name="Loss">Training loss of this step's batch (at an epoch end: the epoch's mean training loss).</param>
/// <param name="ValidationAccuracy">Accuracy on the validation set after the latest finished epoch; null without a validation set or before the first epoch ends.</param>
/// <param name="RowsPerSecond">Training rows processed per second so far.</param>
/// <param name="Elapsed">Wall time since training started (calibration included).</param>
/// <param name="EstimatedRemaining">Estimated time to the end of the planned epochs.</param>
/// <param name="IsEpochEnd">True for the report made after an epoch (and its validation) finished.</param>
public sealed record ShiraTextClassificationProgress(
    int Epoch,
    int Epochs,
    int Step,
    int TotalSteps,
    double Loss,
    double? ValidationAccuracy,
    double RowsPerSecond,
    TimeSpan Elapsed,
    TimeSpan EstimatedRemaining,
    bool IsEpochEnd);
