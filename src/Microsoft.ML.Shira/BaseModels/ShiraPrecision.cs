namespace Microsoft.ML.Shira;

/// <summary>
/// The element type a trainer loads the base model's weights in (<see cref="ShiraTrainerOptionsBase.BaseModelPrecision"/>).
/// The trainable values of SHiRA and LoRA stay <see cref="Float32"/> whatever the base's type (float32 master values),
/// and the numerically sensitive steps (normalisation, softmax, pooling, the loss) run in float32.
/// </summary>
public enum ShiraPrecision
{
    /// <summary>32-bit floats: exact, and the fastest choice on most CPUs. The default.</summary>
    Float32,

    /// <summary>
    /// bfloat16: half the memory of the base weights and the fast path of GPU tensor cores; float32's exponent range, so
    /// no loss scaling is needed. The type to train large models on a GPU in.
    /// </summary>
    BFloat16,

    /// <summary>
    /// float16: half the memory, more significant bits than bfloat16 but a narrow range; no gradient scaler is
    /// implemented, so prefer <see cref="BFloat16"/> for deep models.
    /// </summary>
    Float16,
}
