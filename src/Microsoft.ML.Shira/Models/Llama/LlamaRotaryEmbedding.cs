using Microsoft.ML.Shira.Runtime;

namespace Microsoft.ML.Shira.Models.Llama;

/// <summary>
/// Rotary position embedding in Hugging Face's "rotate half" layout: dimension <c>i</c> of a head is paired with
/// dimension <c>i + head_dim/2</c>. Holds no tensors (so nothing is registered as a buffer); cos/sin are computed
/// in float32 for the positions of each forward pass. The inverse frequencies are computed at the first forward, not
/// when the model is built, so a model built on the meta device only to check a (possibly hostile) config against its
/// checkpoint does no work proportional to <c>head_dim</c>.
/// </summary>
internal sealed class LlamaRotaryEmbedding
{
    private readonly Lazy<float[]> _inverseFrequencies;

    public LlamaRotaryEmbedding(LlamaConfig config)
    {
        _inverseFrequencies = new Lazy<float[]>(() => InverseFrequencies(config));
    }

    private static float[] InverseFrequencies(LlamaConfig config)
    {
        long dim = config.EffectiveHeadDim;
        var frequencies = new double[dim / 2];
        for (int i = 0; i < frequencies.Length; i++)
            frequencies[i] = 1.0 / Math.Pow(config.RopeTheta, 2.0 * i / dim);
        if (config.RopeScaling is { } scaling)
            frequencies = scaling.Apply(frequencies);
        return frequencies.Select(f => (float)f).ToArray();
    }

    /// <summary>cos and sin tables <c>[batch, 1, sequence, head_dim]</c> in <paramref name="dtype"/> for int64 positions <c>[batch, sequence]</c>.</summary>
    public (Tensor Cos, Tensor Sin) Compute(Tensor positionIds, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var inverse = tensor(_inverseFrequencies.Value, device: positionIds.device);
        var frequencies = positionIds.to(ScalarType.Float32).unsqueeze(-1) * inverse;
        var angles = cat(new[] { frequencies, frequencies }, -1).unsqueeze(1);
        var cos = angles.cos().to(dtype).MoveToOuterDisposeScope();
        var sin = angles.sin().to(dtype).MoveToOuterDisposeScope();
        return (cos, sin);
    }

    /// <summary><c>x·cos + rotate_half(x)·sin</c> for <c>[batch, heads, sequence, head_dim]</c>.</summary>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor sin)
    {
        using var scope = NewDisposeScope();
        long half = x.shape[^1] / 2;
        var rotated = cat(new[] { x.narrow(-1, half, half).neg(), x.narrow(-1, 0, half) }, -1);
        return (x * cos).Plus(rotated * sin).MoveToOuterDisposeScope();
    }
}
