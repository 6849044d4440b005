namespace Microsoft.ML.Shira;

/// <summary>
/// Which weights of the pretrained model a SHiRA trainer fine-tunes (<see cref="ShiraTrainerOptionsBase.Method"/> of
/// the classification and generation options). Every method except <see cref="Shira"/> is a baseline to
/// compare SHiRA against, trained by the same loop on the same data.
/// </summary>
public enum FineTuningMethod
{
    /// <summary>SHiRA: a fixed sparse set of entries (the options' <c>Sparsity</c> or <c>Rank</c> budget) of every targeted matrix. The default.</summary>
    Shira,

    /// <summary>
    /// LoRA (Hu et al., 2021) on every targeted matrix with a per-layer rank that gives the same trainable count as
    /// SHiRA at the configured budget: <c>r = max(1, round(sparsity·out·in / (out + in)))</c> (or the options'
    /// <c>Rank</c> when set), <c>α = 2r</c>. After training, the update <c>(α/r)·B·A</c> is merged: the transformer's
    /// adapter holds it as a dense <see cref="Adapters.SparseAdapter"/> over every entry of each targeted matrix, so
    /// switching and fusion work as for SHiRA (fusing LoRA adapters sums their merged updates).
    /// </summary>
    Lora,

    /// <summary>
    /// Full fine-tuning: every parameter of the pretrained model (embeddings, norms, biases, all matrices) is trained.
    /// The transformer's base model then holds the tuned weights and its adapter is empty; adapters trained on the
    /// original base model no longer match it (their fingerprint check fails), and a saved model needs its base weights
    /// embedded. Use a small learning rate (about 1e-4 for MiniLM).
    /// </summary>
    FullFineTuning,

    /// <summary>
    /// Text classification only: only the classifier head is trained; the encoder stays bit-identical and the adapter
    /// is empty. (A text generator has no separate head, so this method is rejected there.)
    /// </summary>
    HeadOnly,
}
