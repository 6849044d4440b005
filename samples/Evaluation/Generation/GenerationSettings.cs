namespace Microsoft.ML.Shira.Evaluation.Generation;

/// <summary>Settings of the generation experiment (the <c>generation</c> command).</summary>
internal sealed record GenerationSettings
{
    public required IReadOnlyList<string> Methods { get; init; }

    public required IReadOnlyList<int> Seeds { get; init; }

    /// <summary>Training texts per corpus (speeches or story paragraphs).</summary>
    public required int TrainTexts { get; init; }

    public required int ValidationTexts { get; init; }

    public required int TestTexts { get; init; }

    public required int Epochs { get; init; }

    /// <summary>PEFT-style budget: <c>r·(in+out)</c> SHiRA entries per matrix, exactly the count of a rank-r LoRA.</summary>
    public required int Rank { get; init; }

    public required int MaxSequenceLength { get; init; }

    public required double ShiraLearningRate { get; init; }

    public required double LoraLearningRate { get; init; }

    public required int Threads { get; init; }

    public required string OutputDirectory { get; init; }

    public required string DataDirectory { get; init; }

    public required string CommandLine { get; init; }
}
