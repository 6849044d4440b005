namespace Microsoft.ML.Shira.Checkpoints;

/// <summary>A model, adapter or tokenizer file is missing, corrupt, truncated or inconsistent.</summary>
public sealed class ShiraFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ShiraFormatException(string message) : base(message) { }

    /// <summary>Creates the exception with its cause.</summary>
    public ShiraFormatException(string message, Exception innerException) : base(message, innerException) { }
}
