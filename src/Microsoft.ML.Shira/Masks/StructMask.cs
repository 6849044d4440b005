using Microsoft.ML.Shira.Runtime;

namespace Microsoft.ML.Shira.Masks;

/// <summary>
/// SHiRA-Struct: whole rows and/or columns at a regular stride plus the diagonal (the diagonal makes the update
/// full-rank), trimmed or filled to exactly <c>count</c> entries.
/// </summary>
/// <remarks>
/// <para>
/// For a <c>[out, in]</c> weight and stride f, the pattern P(f) is the union of rows 0, f, 2f, … (unless
/// <see cref="Axes"/> is <see cref="StructMaskAxes.Columns"/>), columns 0, f, 2f, … (unless it is
/// <see cref="StructMaskAxes.Rows"/>) and the diagonal <c>(d, d)</c>, d &lt; min(out, in). The stride is the smallest
/// f in [1, max(out, in)] with |P(f)| ≤ count (<see cref="StrideFor"/>), or max(out, in), the sparsest pattern,
/// when none fits.
/// </para>
/// <para>
/// The entries are then taken by priority: first the diagonal, then the rest of P(f), then everything else. A whole
/// group is taken while it fits; the first group that does not fit contributes a uniformly random subset of the
/// places left. So when |P(f)| ≤ count the whole pattern is kept and the remaining places are filled uniformly at
/// random from outside it; when even the sparsest pattern is too big, the diagonal is kept (or a random part of it)
/// and the rows/columns are trimmed at random. The random subset takes the entries with the largest
/// <c>torch.rand(out·in)</c> value drawn from a CPU generator seeded with <see cref="MaskSeed.ForLayer(int, string)"/>
/// (ties to the lower position), so the mask depends only on the shape, count, axes, seed and module path.
/// </para>
/// </remarks>
public sealed class StructMask : IMaskStrategy
{
    private const byte OutsideTier = 0;
    private const byte LineTier = 1;
    private const byte DiagonalTier = 2;

    /// <summary>Creates a structured mask strategy.</summary>
    /// <param name="seed">The run's seed (used only to trim or fill the pattern).</param>
    /// <param name="axes">Rows, columns or both.</param>
    public StructMask(int seed, StructMaskAxes axes = StructMaskAxes.Both)
    {
        if (!Enum.IsDefined(axes))
            throw new ArgumentOutOfRangeException(nameof(axes), axes, "Unknown StructMaskAxes value.");
        Seed = seed;
        Axes = axes;
    }

    /// <summary>The run's seed.</summary>
    public int Seed { get; }

    /// <summary>Which lines are trainable.</summary>
    public StructMaskAxes Axes { get; }

    /// <inheritdoc />
    public MaskType Type => MaskType.Struct;

    /// <summary>The number of entries of the pattern P(<paramref name="stride"/>) of an <c>[out, in]</c> matrix.</summary>
    public static long PatternSize(long outFeatures, long inFeatures, long stride, StructMaskAxes axes)
    {
        CheckShape(outFeatures, inFeatures);
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1);
        long rows = CeilDiv(outFeatures, stride);
        long columns = CeilDiv(inFeatures, stride);
        long diagonal = Math.Min(outFeatures, inFeatures);
        // Diagonal entries (d, d) with d a multiple of the stride lie on a chosen row and on a chosen column.
        long diagonalOffLines = diagonal - CeilDiv(diagonal, stride);
        long lines = axes switch
        {
            StructMaskAxes.Rows => rows * inFeatures,
            StructMaskAxes.Columns => columns * outFeatures,
            StructMaskAxes.Both => rows * inFeatures + columns * outFeatures - rows * columns,
            _ => throw new ArgumentOutOfRangeException(nameof(axes), axes, "Unknown StructMaskAxes value."),
        };
        return lines + diagonalOffLines;
    }

    /// <summary>
    /// The stride f used for an <c>[out, in]</c> matrix and <paramref name="count"/> entries: the smallest f in
    /// [1, max(out, in)] with <see cref="PatternSize"/> ≤ count, else max(out, in).
    /// </summary>
    public static long StrideFor(long outFeatures, long inFeatures, long count, StructMaskAxes axes)
    {
        CheckShape(outFeatures, inFeatures);
        long largest = Math.Max(outFeatures, inFeatures);
        for (long stride = 1; stride < largest; stride++)
        {
            if (PatternSize(outFeatures, inFeatures, stride, axes) <= count)
                return stride;
        }
        return largest;
    }

    /// <inheritdoc />
    public Tensor SelectIndices(string modulePath, Tensor weight, long count)
    {
        var (outFeatures, inFeatures) = MaskArguments.Validate(modulePath, weight, count);
        long stride = StrideFor(outFeatures, inFeatures, count, Axes);

        using var scope = NewDisposeScope();
        var tiers = zeros(outFeatures, inFeatures, ScalarType.Byte, CPU);
        if (Axes != StructMaskAxes.Columns)
            TorchScalars.With(LineTier, tiers[TensorIndex.Slice(0, null, stride)].fill_);
        if (Axes != StructMaskAxes.Rows)
            TorchScalars.With(LineTier, tiers[TensorIndex.Colon, TensorIndex.Slice(0, null, stride)].fill_);
        TorchScalars.With(DiagonalTier, tiers.diagonal().fill_);
        var flatTiers = tiers.flatten();

        var parts = new List<Tensor>();
        long remaining = count;
        foreach (byte tier in new[] { DiagonalTier, LineTier, OutsideTier })
        {
            var inTier = TorchScalars.With(tier, flatTiers.eq);
            long size = inTier.sum().item<long>();
            if (size == 0)
                continue;
            if (size <= remaining)
            {
                parts.Add(inTier.nonzero().flatten());
                remaining -= size;
            }
            else
            {
                parts.Add(RandomSubset(modulePath, inTier, remaining));
                remaining = 0;
            }
            if (remaining == 0)
                break;
        }
        var (sorted, _) = cat(parts).sort();
        return sorted.MoveToOuterDisposeScope();
    }

    /// <summary><paramref name="size"/> uniformly random positions among those where <paramref name="allowed"/> is true.</summary>
    private Tensor RandomSubset(string modulePath, Tensor allowed, long size)
    {
        using var generator = new Generator(0, CPU);
        generator.manual_seed(MaskSeed.ForLayer(Seed, modulePath));
        var draw = rand(allowed.numel(), ScalarType.Float32, CPU, generator: generator);
        var candidates = where(allowed, draw, float.NegativeInfinity);
        return StableTopK.Select(candidates, size, modulePath);
    }

    private static void CheckShape(long outFeatures, long inFeatures)
    {
        if (outFeatures < 1 || inFeatures < 1)
            throw new ArgumentOutOfRangeException(nameof(outFeatures), $"The shape [{outFeatures}, {inFeatures}] must be positive.");
    }

    private static long CeilDiv(long a, long b) => (a + b - 1) / b;
}
