using Microsoft.ML.Shira.Masks;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Tests.Adapters;

/// <summary>PEFT's random mask (randperm prefix, sorted), seeded per layer by its order of use.</summary>
internal sealed class TestRandomMask(int seed) : IMaskStrategy
{
    private int _calls;

    public MaskType Type => MaskType.Random;

    public Tensor SelectIndices(string modulePath, Tensor weight, long count)
    {
        using var generator = new Generator((ulong)(seed * 1000 + _calls++));
        using var perm = randperm(weight.numel(), generator: generator);
        return perm.narrow(0, 0, count).sort().Values;
    }
}
