namespace Microsoft.ML.Shira.TextClassification;

/// <summary>
/// Which encoder weights <see cref="ShiraTextClassificationOptions"/> fine-tunes. The classifier head is always
/// fully trained. Every method except <see cref="Shira"/> is a baseline to compare SHiRA against.
/// </summary>
public enum FineTuningMethod
{
    /// <summary>SHiRA: a fixed sparse set of entries (<see cref="ShiraTextClassificationOptions.Sparsity"/>) of every targeted matrix. The default.</summary>
    Shira,

    /// <summary>
    /// LoRA (Hu et al., 2021) on every targeted matrix with a per-layer rank that gives the same trainable count as
    /// SHiRA at the configured budget: <c>r = max(1, round(sparsity·out·in / (out + in)))</c> (or the
    /// <see cref="ShiraTextClassificationOptions.Rank"/> when set), <c>α = 2r</c>. After training, the update
    /// <c>(α/r)·B·A</c> is merged: the transformer's adapter holds it as a dense <see cref="Adapters.SparseAdapter"/>
    /// over every entry of each targeted matrix, so switching and fusion work as for SHiRA (fusing LoRA adapters sums
    /// their merged updates).
    /// </summary>
    Lora,

    /// <summary>
    /// Full fine-tuning: every encoder parameter (embeddings, LayerNorms, biases, all matrices) is trained. The
    /// transformer's base encoder then holds the tuned weights and its adapter is empty; adapters trained on the
    /// original base model no longer match it (their fingerprint check fails). Use a small
    /// <see cref="ShiraTextClassificationOptions.LearningRate"/> (about 1e-4).
    /// </summary>
    FullFineTuning,

    /// <summary>Only the classifier head is trained; the encoder stays bit-identical and the adapter is empty.</summary>
    HeadOnly,
}
