using System.Text;

namespace Microsoft.ML.Shira.Masks;

/// <summary>Derives the seed of one layer's random draws from the run's seed and the layer's module path.</summary>
internal static class MaskSeed
{
    private const ulong FnvOffsetBasis = 14695981039346656037UL;
    private const ulong FnvPrime = 1099511628211UL;
    private const ulong GoldenGamma = 0x9E3779B97F4A7C15UL;

    /// <summary>
    /// A per-layer seed that is stable across processes, machines and .NET versions (unlike
    /// <see cref="string.GetHashCode()"/>): <c>SplitMix64(FNV-1a-64(UTF-8(modulePath)) XOR ((ulong)(uint)seed · 0x9E3779B97F4A7C15))</c>,
    /// reinterpreted as a signed 64-bit integer.
    /// </summary>
    /// <param name="seed">The run's seed.</param>
    /// <param name="modulePath">Module path of the layer, e.g. <c>encoder.layer.0.attention.self.query</c>.</param>
    public static long ForLayer(int seed, string modulePath)
    {
        ArgumentNullException.ThrowIfNull(modulePath);
        ulong hash = FnvOffsetBasis;
        foreach (byte b in Encoding.UTF8.GetBytes(modulePath))
        {
            hash ^= b;
            hash *= FnvPrime;
        }
        return unchecked((long)SplitMix64(hash ^ ((ulong)(uint)seed * GoldenGamma)));
    }

    private static ulong SplitMix64(ulong x)
    {
        x += GoldenGamma;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}
