namespace Microsoft.ML.Shira.Checkpoints.Onnx;

/// <summary>An ONNX file is malformed, truncated, or does not hold the model the importer expects.</summary>
public sealed class OnnxFormatException : FormatException
{
    /// <summary>Creates the exception with a message.</summary>
    public OnnxFormatException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the error that caused it.</summary>
    public OnnxFormatException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
