using Microsoft.ML.Shira.Adapters;
using Microsoft.ML.Shira.Adapters.Injection;
using Microsoft.ML.Shira.Adapters.Layers;
using Microsoft.ML.Shira.Masks;
using static TorchSharp.torch;

/// <summary>Adapters for MiniLM benchmarks: SHiRA at 1% and LoRA at the same trainable count, on query/key/value/dense.</summary>
public static class MiniLmAdapters
{
    /// <summary>The adapted modules.</summary>
    public static readonly string[] Targets = { "query", "key", "value", "dense" };

    /// <summary>LoRA rank with the trainable count of a 1% SHiRA layer: round(0.01·out·in/(out+in)).</summary>
    public static int MatchingLoraRank(long outFeatures, long inFeatures) =>
        (int)Math.Max(1, Math.Round(0.01 * outFeatures * inFeatures / (outFeatures + inFeatures)));

    /// <summary>A SHiRA adapter with random 1% masks and small non-zero values over every target matrix.</summary>
    public static SparseAdapter RandomShira(nn.Module model, string name = "a", int seed = 7)
    {
        var matcher = new TargetModuleMatcher(Targets);
        var mask = new RandomMask(seed);
        var layers = new List<SparseAdapterLayer>();
        foreach (var (parameterName, weight) in model.named_parameters())
        {
            if (!parameterName.EndsWith(".weight", StringComparison.Ordinal) || weight.dim() != 2)
                continue;
            string path = parameterName[..^".weight".Length];
            if (!matcher.IsMatch(path))
                continue;
            long k = ShiraBudget.Default.EntriesFor(weight.shape[0], weight.shape[1]);
            using var indices = mask.SelectIndices(path, weight, k);
            var values = Enumerable.Range(0, (int)k).Select(i => 0.01f * MathF.Sin(i + seed)).ToArray();
            layers.Add(SparseAdapterLayer.FromFlatIndices(path, weight.shape[0], weight.shape[1], indices.data<long>().ToArray(), values));
        }
        return new SparseAdapter(name, layers);
    }

    /// <summary>Wraps every target with LoRA at the matching rank, with a non-zero B so merging does real work.</summary>
    public static List<LoraLinear> InjectLora(nn.Module model, int seed = 0)
    {
        var generator = new Generator((ulong)seed);
        return LinearInjector.Inject(model, new TargetModuleMatcher(Targets), (path, linear) =>
        {
            int rank = MatchingLoraRank(linear.weight!.shape[0], linear.weight.shape[1]);
            var layer = new LoraLinear(linear, rank, alpha: 2 * rank, generator: generator);
            using (no_grad())
                layer.B.normal_(generator: generator);
            return layer;
        }).Select(l => l.Layer).ToList();
    }
}
