namespace Microsoft.ML.Shira.Evaluation;

/// <summary>Everything a run of the evaluation is configured with (from the command line).</summary>
internal sealed record EvaluationSettings
{
    public required IReadOnlyList<string> Tasks { get; init; }

    public required IReadOnlyList<string> Methods { get; init; }

    public required IReadOnlyList<int> Seeds { get; init; }

    /// <summary>Training rows per task; null = all.</summary>
    public int? TrainRows { get; init; }

    /// <summary>Test rows per task; null = all.</summary>
    public int? TestRows { get; init; }

    public int Epochs { get; init; }

    public int MaxSequenceLength { get; init; }

    public int BatchSize { get; init; }

    public double Sparsity { get; init; }

    /// <summary>Budget of the extra run of the best SHiRA mask; 0 skips it.</summary>
    public double SecondSparsity { get; init; }

    public bool Fusion { get; init; }

    /// <summary>SHiRA mask of the fusion experiment.</summary>
    public string FusionMask { get; init; } = "random";

    public int Threads { get; init; }

    public double ShiraLearningRate { get; init; }

    public double CalibratedShiraLearningRate { get; init; }

    public double LoraLearningRate { get; init; }

    public double FullLearningRate { get; init; }

    public double HeadLearningRate { get; init; }

    public required string OutputDirectory { get; init; }

    public required string DataDirectory { get; init; }

    public required string CommandLine { get; init; }
}
