/// <summary>What one training step of <see cref="TrainingStepSetup"/> trains (the classification head is trained in all).</summary>
public enum TrainingMethod
{
    /// <summary>SHiRA 1% on query/key/value/dense, value gradient only at the k positions (the default path).</summary>
    ShiraSparse,

    /// <summary>SHiRA 1% on query/key/value/dense through plain autograd (dense weight gradient, then gathered).</summary>
    ShiraDense,

    /// <summary>LoRA on query/key/value/dense at the rank with SHiRA's trainable count per layer.</summary>
    Lora,

    /// <summary>Every encoder parameter.</summary>
    Full,

    /// <summary>The head only; the encoder is frozen.</summary>
    HeadOnly,
}
