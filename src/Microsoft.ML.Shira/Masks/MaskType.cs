namespace Microsoft.ML.Shira.Masks;

/// <summary>How SHiRA chooses the trainable entries of a weight matrix (Bhardwaj et al., 2024, appendix B).</summary>
public enum MaskType
{
    /// <summary>Every f-th row and column plus the diagonal.</summary>
    Struct,

    /// <summary>Uniformly random positions (PEFT's built-in <c>random</c> mask).</summary>
    Random,

    /// <summary>The k entries of largest |w|.</summary>
    WeightMagnitude,

    /// <summary>The k entries of largest accumulated |∂L/∂w| over calibration batches.</summary>
    Gradient,

    /// <summary>The k entries of largest accumulated |w · ∂L/∂w| over calibration batches.</summary>
    Snip,
}
