using BenchmarkDotNet.Attributes;
using Microsoft.ML.Shira.Adapters;
using Microsoft.ML.Shira.Adapters.Layers;
using Microsoft.ML.Shira.Adapters.Switching;
using Microsoft.ML.Shira.Masks;
using static TorchSharp.torch;

/// <summary>
/// Issue #2: switching one weight matrix. SHiRA at 1% (scatter k values in, scatter the stash back) against LoRA fuse +
/// unfuse (W += s·BA; W −= s·BA) at the rank with the same parameter count, r = round(0.01·out·in / (out+in)).
/// </summary>
public class SwitchBenchmarks
{
    private nn.Module<Tensor, Tensor> _shiraModel = null!;
    private FusedAdapterSwitcher _switcher = null!;
    private LoraLinear _lora = null!;

    /// <summary>Weight shape out×in.</summary>
    [Params("384x384", "1536x384", "4096x4096")]
    public string Shape { get; set; } = "384x384";

    /// <summary>Builds both layers.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var parts = Shape.Split('x').Select(long.Parse).ToArray();
        long outFeatures = parts[0], inFeatures = parts[1];
        manual_seed(0);

        _shiraModel = nn.Sequential(("layer", nn.Linear(inFeatures, outFeatures)));
        var weight = _shiraModel.parameters().First();
        long k = ShiraBudget.FromSparsity(0.01).EntriesFor(outFeatures, inFeatures);
        using var indices = new RandomMask(1).SelectIndices("layer", weight, k);
        var values = Enumerable.Range(0, (int)k).Select(i => (float)Math.Sin(i)).ToArray();
        var adapter = new SparseAdapter("a", new[] { SparseAdapterLayer.FromFlatIndices("layer", outFeatures, inFeatures, indices.data<long>().ToArray(), values) });
        _switcher = new FusedAdapterSwitcher(_shiraModel);
        _switcher.Register(adapter);

        int rank = (int)Math.Max(1, Math.Round(k / (double)(outFeatures + inFeatures)));
        _lora = new LoraLinear(nn.Linear(inFeatures, outFeatures), rank, alpha: 2 * rank);
        using (no_grad())
            _lora.B.normal_();
        Console.WriteLine($"// {Shape}: SHiRA k = {k}, LoRA r = {rank} ({_lora.TrainableCount} parameters)");
    }

    /// <summary>LoRA: merge then unmerge (two rank-r products over the whole matrix).</summary>
    [Benchmark(Baseline = true)]
    public void LoraFuseUnfuse()
    {
        _lora.Merge();
        _lora.Unmerge();
    }

    /// <summary>SHiRA: apply then remove (two scatters of k values).</summary>
    [Benchmark]
    public void ShiraApplyRemove()
    {
        _switcher.Activate("a");
        _switcher.Deactivate();
    }

    /// <summary>Releases native memory.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _switcher.Dispose();
        _shiraModel.Dispose();
        _lora.Dispose();
    }
}
