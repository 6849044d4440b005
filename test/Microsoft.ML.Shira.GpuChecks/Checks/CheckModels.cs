using Microsoft.ML.Shira.Adapters;
using Microsoft.ML.Shira.BaseModels;
using Microsoft.ML.Shira.Checkpoints.HuggingFace;
using Microsoft.ML.Shira.Masks;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.GpuChecks.Checks;

/// <summary>Models, adapters and data shared by the checks.</summary>
internal static class CheckModels
{
    /// <summary>LLaMA's attention and MLP projections: the adapted modules.</summary>
    public static readonly string[] Targets = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"];

    /// <summary>The embedded stories260K (a real pretrained LLaMA) on <paramref name="device"/> in <paramref name="dtype"/>.</summary>
    public static PretrainedDecoder Stories(Device device, ScalarType dtype = ScalarType.Float32) =>
        PretrainedDecoders.Stories260K(new HuggingFaceLoadOptions { Device = device, DType = dtype });

    /// <summary>A SHiRA adapter over every target matrix: r-budget random positions, values in ±0.05.</summary>
    public static SparseAdapter RandomAdapter(nn.Module model, string name = "a", int rank = 2, int seed = 7)
    {
        var matcher = new Adapters.Injection.TargetModuleMatcher(Targets);
        var mask = new RandomMask(seed);
        var layers = new List<SparseAdapterLayer>();
        foreach (var (parameterName, weight) in model.named_parameters())
        {
            if (!parameterName.EndsWith(".weight", StringComparison.Ordinal) || weight.dim() != 2)
                continue;
            string path = parameterName[..^".weight".Length];
            if (!matcher.IsMatch(path))
                continue;
            long k = ShiraBudget.FromRank(rank).EntriesFor(weight.shape[0], weight.shape[1]);
            using var cpuWeight = weight.detach().cpu();
            using var indices = mask.SelectIndices(path, cpuWeight, k);
            var values = Enumerable.Range(0, (int)k).Select(i => 0.05f * MathF.Sin(3 * i + seed)).ToArray();
            layers.Add(SparseAdapterLayer.FromFlatIndices(path, weight.shape[0], weight.shape[1], indices.data<long>().ToArray(), values));
        }
        return new SparseAdapter(name, layers);
    }

    /// <summary>The first <paramref name="count"/> TinyStories paragraphs of at least <paramref name="tokens"/> tokens, cut to that length: <c>[count, tokens]</c> int64.</summary>
    public static Tensor StoryBatch(PretrainedDecoder decoder, string dataDirectory, int count, int tokens, Device device)
    {
        var rows = StoryParagraphs(dataDirectory)
            .Select(p => decoder.Tokenizer.Encode(p))
            .Where(ids => ids.Count >= tokens)
            .Take(count)
            .SelectMany(ids => ids.Take(tokens).Select(i => (long)i))
            .ToArray();
        if (rows.Length != count * tokens)
            throw new CheckFailedException($"tinystories_val.txt has fewer than {count} paragraphs of {tokens} tokens.");
        return tensor(rows, [count, tokens], dtype: ScalarType.Int64, device: device);
    }

    /// <summary>The paragraphs of <c>generation/tinystories_val.txt</c> (stories separated by blank lines).</summary>
    public static string[] StoryParagraphs(string dataDirectory) =>
        File.ReadAllText(Path.Combine(dataDirectory, "generation", "tinystories_val.txt"))
            .Split("\n\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The raw bytes of a tensor (for bit-exact comparisons).</summary>
    public static byte[] Bits(Tensor t)
    {
        using var cpu = t.detach().cpu().contiguous();
        return cpu.bytes.ToArray();
    }

    /// <summary>Whether two tensors hold the same bits.</summary>
    public static bool SameBits(Tensor a, Tensor b) => a.dtype == b.dtype && Bits(a).AsSpan().SequenceEqual(Bits(b));

    /// <summary>Largest absolute difference of two tensors, computed on the CPU in float64.</summary>
    public static double MaxAbsDiff(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        return (a.detach().cpu().to(ScalarType.Float64) - b.detach().cpu().to(ScalarType.Float64)).abs().max().item<double>();
    }
}
