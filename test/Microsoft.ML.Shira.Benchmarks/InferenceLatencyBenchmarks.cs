using BenchmarkDotNet.Attributes;
using Microsoft.ML.Shira.Adapters;
using Microsoft.ML.Shira.Adapters.Injection;
using Microsoft.ML.Shira.Adapters.Layers;
using Microsoft.ML.Shira.Adapters.Switching;
using Microsoft.ML.Shira.BaseModels;
using Microsoft.ML.Shira.Masks;
using Microsoft.ML.Shira.Models.Bert;
using static TorchSharp.torch;

/// <summary>
/// Issue #5: MiniLM inference latency (forward + mean pooling, sequence 64) for the base model, SHiRA fused (1% of
/// query/key/value/dense), LoRA unfused and LoRA merged at the same trainable count.
/// </summary>
public class InferenceLatencyBenchmarks
{
    private PretrainedEncoder _base = null!;
    private PretrainedEncoder _shira = null!;
    private PretrainedEncoder _loraUnfused = null!;
    private PretrainedEncoder _loraMerged = null!;
    private FusedAdapterSwitcher _switcher = null!;
    private Tensor _ids = null!;
    private Tensor _mask = null!;

    /// <summary>Batch size.</summary>
    [Params(1, 32)]
    public int Batch { get; set; }

    /// <summary>Builds the four models and the input batch.</summary>
    [GlobalSetup]
    public void Setup()
    {
        BenchmarkThreads.Apply();
        _base = Load();
        _shira = Load();
        _switcher = new FusedAdapterSwitcher(_shira.Bert, consolidateWeights: true);
        _switcher.Register(MiniLmAdapters.RandomShira(_shira.Bert));
        _switcher.Activate("a");

        _loraUnfused = Load();
        _loraMerged = Load();
        MiniLmAdapters.InjectLora(_loraUnfused.Bert);
        MiniLmAdapters.InjectLora(_loraMerged.Bert).ForEach(l => l.Merge());

        var ids = randint(1000, 30000, new long[] { Batch, 64 }, generator: new Generator(1), dtype: ScalarType.Int64);
        _ids = ids;
        _mask = ones(Batch, 64, dtype: ScalarType.Int64);
    }

    /// <summary>The pretrained model as it is.</summary>
    [Benchmark(Baseline = true)]
    public float Base() => Run(_base);

    /// <summary>SHiRA fused into the weights (no extra work at inference).</summary>
    [Benchmark]
    public float ShiraFused() => Run(_shira);

    /// <summary>LoRA kept separate: two extra small matmuls per adapted layer.</summary>
    [Benchmark]
    public float LoraUnfused() => Run(_loraUnfused);

    /// <summary>LoRA merged into the weights.</summary>
    [Benchmark]
    public float LoraMerged() => Run(_loraMerged);

    /// <summary>Releases everything.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _switcher.Dispose();
        foreach (var model in new[] { _base, _shira, _loraUnfused, _loraMerged })
            model.Dispose();
        _ids.Dispose();
        _mask.Dispose();
    }

    private float Run(PretrainedEncoder encoder)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        return SentencePooling.Mean(encoder.Bert.forward(_ids, _mask), _mask)[0, 0].item<float>();
    }

    private static PretrainedEncoder Load()
    {
        var encoder = PretrainedEncoders.MiniLmL6V2();
        encoder.Bert.eval();
        return encoder;
    }
}
