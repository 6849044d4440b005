using Microsoft.ML.Shira.Adapters;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Tests.Adapters;

internal static class AdapterTestData
{
    /// <summary>A random sparse adapter over every 2-D weight of <paramref name="model"/> with the given share of entries.</summary>
    public static SparseAdapter RandomAdapter(nn.Module model, string name, int seed, double share = 0.01, AdapterMetadata? metadata = null)
    {
        var random = new Random(seed);
        var layers = new List<SparseAdapterLayer>();
        foreach (var (path, weight) in model.named_parameters().Where(p => p.name.EndsWith(".weight") && p.parameter.dim() == 2))
        {
            long rows = weight.shape[0], cols = weight.shape[1];
            int k = (int)Math.Max(1, Math.Round(share * rows * cols));
            var flat = new HashSet<long>();
            while (flat.Count < k)
                flat.Add(random.NextInt64(rows * cols));
            var values = Enumerable.Range(0, k).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
            layers.Add(SparseAdapterLayer.FromFlatIndices(path[..^".weight".Length], rows, cols, flat.Order().ToArray(), values));
        }
        return new SparseAdapter(name, layers, metadata);
    }

    public static Dictionary<string, byte[]> Snapshot(nn.Module model) =>
        model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.cpu().bytes.ToArray());

    public static void AssertBitwiseEqual(Dictionary<string, byte[]> expected, nn.Module model)
    {
        var actual = Snapshot(model);
        CollectionAssert.AreEquivalent(expected.Keys.ToArray(), actual.Keys.ToArray());
        foreach (var (key, bytes) in expected)
            CollectionAssert.AreEqual(bytes, actual[key], $"Tensor '{key}' differs from the base.");
    }
}
