namespace Microsoft.ML.Shira.Masks;

/// <summary>
/// How many entries of each target matrix are trainable: a fraction of the matrix, or PEFT's <c>r</c>
/// (<c>r·(in+out)</c> entries, the parameter count of a rank-r LoRA on the same layer).
/// </summary>
public readonly record struct ShiraBudget
{
    private ShiraBudget(double sparsity, int rank)
    {
        Sparsity = sparsity;
        Rank = rank;
    }

    /// <summary>Fraction of entries (0, 1]; 0 when the budget is a rank.</summary>
    public double Sparsity { get; }

    /// <summary>PEFT's r; 0 when the budget is a fraction.</summary>
    public int Rank { get; }

    /// <summary>The default budget: 1% of every target matrix.</summary>
    public static ShiraBudget Default => FromSparsity(0.01);

    /// <summary>A fraction of every target matrix, e.g. 0.01 for 1%.</summary>
    public static ShiraBudget FromSparsity(double sparsity)
    {
        if (!(sparsity > 0 && sparsity <= 1))
            throw new ArgumentOutOfRangeException(nameof(sparsity), sparsity, "Sparsity must be in (0, 1], e.g. 0.01 for 1% of each weight matrix.");
        return new ShiraBudget(sparsity, 0);
    }

    /// <summary>PEFT's <c>r</c>: <c>r·(in+out)</c> entries per matrix, capped at the matrix size.</summary>
    public static ShiraBudget FromRank(int r)
    {
        if (r <= 0)
            throw new ArgumentOutOfRangeException(nameof(r), r, "Rank r must be positive.");
        return new ShiraBudget(0, r);
    }

    /// <summary>Number of trainable entries for a <c>[outFeatures, inFeatures]</c> matrix (at least 1).</summary>
    public long EntriesFor(long outFeatures, long inFeatures)
    {
        long total = outFeatures * inFeatures;
        long k = Rank > 0 ? (long)Rank * (outFeatures + inFeatures) : (long)Math.Round(Sparsity * total);
        return Math.Clamp(k, 1, total);
    }

    /// <inheritdoc />
    public override string ToString() => Rank > 0 ? $"r={Rank}" : $"{Sparsity:P2}";
}
