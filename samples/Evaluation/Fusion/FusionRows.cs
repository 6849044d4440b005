namespace Microsoft.ML.Shira.Evaluation.Fusion;

/// <summary>One task's accuracy with its own adapter alone and with all task adapters fused (α = 1), each with its own head.</summary>
internal sealed record FusionRow(string Variant, string Task, int Seed, double SingleAccuracy, double FusedAccuracy)
{
    /// <summary>Accuracy lost by fusing (points of accuracy, as a fraction).</summary>
    public double Drop => SingleAccuracy - FusedAccuracy;
}

/// <summary>How two task adapters share positions (summed over layers) and their orthogonality (averaged over layers).</summary>
/// <param name="SharedShare">Shared positions over the first adapter's entries.</param>
/// <param name="Jaccard">Shared positions over the union.</param>
/// <param name="Awom">Mean over layers of ‖A₁ᵀA₂‖₂.</param>
/// <param name="Awor">Mean over layers of 1 − ‖A₁ᵀA₂‖₀ / m².</param>
internal sealed record OverlapRow(string Variant, string TaskA, string TaskB, int Seed, double SharedShare, double Jaccard, double Awom, double Awor);
