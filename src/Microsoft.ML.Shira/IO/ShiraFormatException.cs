namespace Microsoft.ML.Shira;

/// <summary>
/// A file this library reads — a model folder or checkpoint, a PEFT adapter, a tokenizer, an ONNX model or a SHiRA
/// model file — is missing a part, corrupt, truncated or inconsistent. The message names the file and the entry or
/// tensor at fault. It is the one exception type the readers throw for bad file contents.
/// </summary>
public sealed class ShiraFormatException : FormatException
{
    /// <summary>Creates the exception.</summary>
    public ShiraFormatException(string message) : base(message) { }

    /// <summary>Creates the exception with its cause.</summary>
    public ShiraFormatException(string message, Exception innerException) : base(message, innerException) { }
}
