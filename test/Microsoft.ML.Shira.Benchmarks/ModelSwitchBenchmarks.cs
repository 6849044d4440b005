using BenchmarkDotNet.Attributes;
using Microsoft.ML.Shira.Adapters;
using Microsoft.ML.Shira.Adapters.Injection;
using Microsoft.ML.Shira.Adapters.Layers;
using Microsoft.ML.Shira.Adapters.Switching;
using Microsoft.ML.Shira.BaseModels;
using Microsoft.ML.Shira.Masks;
using static TorchSharp.torch;

/// <summary>
/// Issue #5: switching a whole-model adapter on MiniLM (query, key, value and every dense layer: 36 matrices, 10.6M
/// weights). SHiRA at 1% per matrix (apply + remove), per-layer and with consolidated weights, against LoRA fuse + unfuse
/// of every matrix at the rank with the same trainable count per layer (r = round(0.01·out·in/(out+in)): 2 for 384×384,
/// 3 for 1536×384). Torch threads: <c>SHIRA_BENCH_THREADS</c> (default 1); the SHiRA CPU write splits across at most that many.
/// </summary>
public class ModelSwitchBenchmarks
{
    private PretrainedEncoder _perLayerModel = null!;
    private PretrainedEncoder _consolidatedModel = null!;
    private PretrainedEncoder _loraModel = null!;
    private FusedAdapterSwitcher _perLayer = null!;
    private FusedAdapterSwitcher _consolidated = null!;
    private List<LoraLinear> _lora = null!;
    private Tensor _arena = null!;
    private PreparedScatter _torchScatter = null!;

    /// <summary>Builds the three models and one random 1% adapter.</summary>
    [GlobalSetup]
    public void Setup()
    {
        int threads = BenchmarkThreads.Apply();
        _perLayerModel = PretrainedEncoders.MiniLmL6V2();
        _consolidatedModel = PretrainedEncoders.MiniLmL6V2();
        _loraModel = PretrainedEncoders.MiniLmL6V2();
        var adapter = MiniLmAdapters.RandomShira(_perLayerModel.Bert);
        _perLayer = new FusedAdapterSwitcher(_perLayerModel.Bert);
        _perLayer.Register(adapter);
        _consolidated = new FusedAdapterSwitcher(_consolidatedModel.Bert, consolidateWeights: true);
        _consolidated.Register(adapter);

        _lora = MiniLmAdapters.InjectLora(_loraModel.Bert);
        (_arena, _torchScatter) = TorchScatterReference(_perLayerModel.Bert, adapter);
        Console.WriteLine($"// torch threads: {threads}; SHiRA entries: {adapter.ParameterCount:N0} in {adapter.Layers.Count} matrices; LoRA parameters: {_lora.Sum(l => l.TrainableCount):N0} in {_lora.Count} layers");
    }

    /// <summary>LoRA: merge then unmerge every adapted matrix.</summary>
    [Benchmark(Baseline = true)]
    public void LoraFuseUnfuse()
    {
        foreach (var layer in _lora)
            layer.Merge();
        foreach (var layer in _lora)
            layer.Unmerge();
    }

    /// <summary>SHiRA, one scatter per matrix and direction.</summary>
    [Benchmark]
    public void ShiraApplyRemovePerLayer()
    {
        _perLayer.Activate("a");
        _perLayer.Deactivate();
    }

    /// <summary>SHiRA with consolidated weights: one scatter for the whole model per direction.</summary>
    [Benchmark]
    public void ShiraApplyRemoveConsolidated()
    {
        _consolidated.Activate("a");
        _consolidated.Deactivate();
    }

    /// <summary>
    /// The previous implementation for comparison: <c>scatter_</c> over a buffer of the consolidated arena's size and
    /// layout, one call per direction, same positions (sorted, as <c>RandomShira</c> makes them).
    /// </summary>
    [Benchmark]
    public void ShiraApplyRemoveConsolidatedTorchScatter()
    {
        ScatterKernel.WriteWithTorch(_torchScatter.Target, _torchScatter.Indices, _torchScatter.FusedValues);
        ScatterKernel.WriteWithTorch(_torchScatter.Target, _torchScatter.Indices, _torchScatter.BaseValues);
    }

    private static (Tensor Arena, PreparedScatter Scatter) TorchScatterReference(nn.Module model, SparseAdapter adapter)
    {
        var offsets = new Dictionary<string, long>();
        long total = 0;
        foreach (var (name, module) in model.named_modules())
        {
            if (module is TorchSharp.Modules.Linear { weight: not null } linear && linear.weight.dim() == 2)
            {
                offsets[name] = total;
                total += linear.weight.numel();
            }
        }
        var arena = randn(total);
        var positions = adapter.Layers.Values.SelectMany(l => l.FlatIndices().Select(i => i + offsets[l.ModulePath])).ToArray();
        var values = adapter.Layers.Values.SelectMany(l => l.Values).ToArray();
        var indices = tensor(positions);
        var baseValues = arena.index_select(0, indices);
        return (arena, new PreparedScatter(arena, indices, baseValues, baseValues + tensor(values)));
    }

    /// <summary>Releases everything.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _perLayer.Dispose();
        _consolidated.Dispose();
        _perLayerModel.Dispose();
        _consolidatedModel.Dispose();
        _loraModel.Dispose();
        _torchScatter.Dispose();
        _arena.Dispose();
    }
}
