namespace Microsoft.ML.Shira.Checkpoints.HuggingFace;

/// <summary>How <see cref="HuggingFaceLoader"/> materializes a model.</summary>
public sealed class HuggingFaceLoadOptions
{
    /// <summary>
    /// Element type of the model's weights; checkpoint tensors (F32, F16, BF16, F64) are converted to it.
    /// Float32 by default, as in <c>transformers</c>' <c>from_pretrained</c>, whatever <c>torch_dtype</c> the config names.
    /// </summary>
    public ScalarType DType = ScalarType.Float32;

    /// <summary>Device of the weights; null means CPU.</summary>
    public Device? Device;
}
