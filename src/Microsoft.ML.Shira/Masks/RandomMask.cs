namespace Microsoft.ML.Shira.Masks;

/// <summary>
/// Uniformly random trainable entries: <c>randperm(out·in)[:count]</c> drawn from a CPU generator, sorted
/// (PEFT's <c>random_mask</c>).
/// </summary>
/// <remarks>
/// By default every layer gets its own generator seed, <see cref="MaskSeed.ForLayer(int, string)"/>, so layers of the
/// same shape get different masks and the same seed and module path always give the same mask, on any device.
/// With <c>perLayerSeed: false</c> every layer's generator is seeded with <see cref="Seed"/> itself, as PEFT does
/// (<c>torch.Generator().manual_seed(random_seed)</c>); layers of the same shape then share one mask.
/// The permutation is materialised, so a draw allocates out·in int64 values on the CPU.
/// </remarks>
public sealed class RandomMask : IMaskStrategy
{
    /// <summary>Creates a random mask strategy.</summary>
    /// <param name="seed">The run's seed.</param>
    /// <param name="perLayerSeed">Derive a different seed for every module path (default); false seeds every layer with <paramref name="seed"/>, like PEFT.</param>
    public RandomMask(int seed, bool perLayerSeed = true)
    {
        Seed = seed;
        PerLayerSeed = perLayerSeed;
    }

    /// <summary>The run's seed.</summary>
    public int Seed { get; }

    /// <summary>Whether each layer's generator is seeded with <see cref="MaskSeed.ForLayer(int, string)"/> rather than <see cref="Seed"/>.</summary>
    public bool PerLayerSeed { get; }

    /// <inheritdoc />
    public MaskType Type => MaskType.Random;

    /// <summary>The seed of the generator used for the layer at <paramref name="modulePath"/>.</summary>
    public long GeneratorSeedFor(string modulePath) => PerLayerSeed ? MaskSeed.ForLayer(Seed, modulePath) : Seed;

    /// <inheritdoc />
    public Tensor SelectIndices(string modulePath, Tensor weight, long count)
    {
        var (outFeatures, inFeatures) = MaskArguments.Validate(modulePath, weight, count);
        using var scope = NewDisposeScope();
        using var generator = new Generator(0, CPU);
        generator.manual_seed(GeneratorSeedFor(modulePath));
        var permutation = randperm(outFeatures * inFeatures, ScalarType.Int64, CPU, generator: generator);
        var (sorted, _) = permutation.narrow(0, 0, count).sort();
        return sorted.MoveToOuterDisposeScope();
    }
}
