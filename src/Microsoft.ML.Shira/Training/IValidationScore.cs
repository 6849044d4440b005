namespace Microsoft.ML.Shira.Training;

/// <summary>A task's validation result after an epoch, as the loop compares, logs and reports it.</summary>
internal interface IValidationScore
{
    /// <summary>The reported metric (accuracy, perplexity, …).</summary>
    double Value { get; }

    /// <summary>True when this score is better than <paramref name="best"/> (always when there is none).</summary>
    bool IsBetterThan(IValidationScore? best);

    /// <summary>The score in the epoch's log line, e.g. <c>validation accuracy 85.00% (loss 0.3456)</c>.</summary>
    string Describe();

    /// <summary>The score of the kept epoch, e.g. <c>validation accuracy 85.00%, loss 0.3456</c>.</summary>
    string DescribeKept();

    /// <summary>The numbers the score is made of, so a training checkpoint can store it (<see cref="TrainingTask{TBatch}.ScoreFrom"/> rebuilds it).</summary>
    IReadOnlyList<double> Components { get; }

    /// <summary>What a stale epoch lacks, e.g. <c>no better validation accuracy</c>.</summary>
    string NoImprovement { get; }
}
