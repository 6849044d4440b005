namespace Microsoft.ML.Shira.Tests.MlNet;

/// <summary>PredictionEngine output of the multiclass classifier.</summary>
public sealed class SentimentPrediction
{
    public uint PredictedLabel { get; set; }

    public float[] Score { get; set; } = [];
}

/// <summary>PredictionEngine output of the binary classifier.</summary>
public sealed class BinarySentimentPrediction
{
    public bool PredictedLabel { get; set; }

    public float Score { get; set; }

    public float Probability { get; set; }
}

/// <summary>Prediction engine options that leave the model alive when the engine is disposed (ML.NET's default disposes it).</summary>
internal static class EngineOptions
{
    public static PredictionEngineOptions KeepModel => new() { OwnsTransformer = false };
}
