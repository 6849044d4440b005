namespace Microsoft.ML.Shira.Training;

/// <summary>Progress of the training loop after a step or an epoch; each task reports it as its own public record.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Epochs">Epochs planned.</param>
/// <param name="Step">1-based optimizer step over the whole run.</param>
/// <param name="TotalSteps">Steps planned over all epochs.</param>
/// <param name="Loss">The step's batch loss; at an epoch end, the epoch's mean training loss.</param>
/// <param name="Validation">The latest epoch's validation score, or null.</param>
/// <param name="WorkPerSecond">Rows, tokens, … per second so far.</param>
/// <param name="Elapsed">Wall time since the run started.</param>
/// <param name="EstimatedRemaining">Estimated time to the end of the planned epochs.</param>
/// <param name="IsEpochEnd">True for the report after an epoch (and its validation).</param>
internal sealed record LoopProgress(
    int Epoch, int Epochs, int Step, int TotalSteps, double Loss, double? Validation, double WorkPerSecond,
    TimeSpan Elapsed, TimeSpan EstimatedRemaining, bool IsEpochEnd);
