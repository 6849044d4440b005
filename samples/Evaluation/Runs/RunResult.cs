namespace Microsoft.ML.Shira.Evaluation.Runs;

/// <summary>The measurements of one (task, method, seed) run.</summary>
internal sealed record RunResult(
    string Task,
    string MethodId,
    string MethodDisplay,
    int Seed,
    int TrainRows,
    int TestRows,
    double Accuracy,
    double MacroF1,
    long TrainableEncoderParameters,
    long HeadParameters,
    double ChangedShare,
    double TrainSeconds,
    double PeakMemoryMb,
    string Note = "");
