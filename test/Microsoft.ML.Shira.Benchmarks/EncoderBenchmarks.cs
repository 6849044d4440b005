using BenchmarkDotNet.Attributes;
using Microsoft.ML.Shira.BaseModels;
using Microsoft.ML.Shira.Models.Bert;
using static TorchSharp.torch;

/// <summary>Issue #3: MiniLM encoder forward + mean pooling, batch 32 × sequence 64 (inference, no grad).</summary>
public class EncoderBenchmarks
{
    private const int Batch = 32;
    private const int Sequence = 64;
    private PretrainedEncoder _encoder = null!;
    private Tensor _ids = null!;
    private Tensor _mask = null!;

    /// <summary>Loads MiniLM and makes a fixed batch of real-vocabulary ids.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _encoder = PretrainedEncoders.MiniLmL6V2();
        _encoder.Bert.eval();
        var generator = new Generator(0);
        _ids = randint(1000, 30000, new long[] { Batch, Sequence }, generator: generator, dtype: ScalarType.Int64);
        _mask = ones(Batch, Sequence, dtype: ScalarType.Int64);
    }

    /// <summary>One batch of 32 sentences; reported per sentence.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public float EncodeBatch()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var pooled = SentencePooling.Mean(_encoder.Bert.forward(_ids, _mask), _mask);
        return pooled[0, 0].item<float>();
    }

    /// <summary>Releases the model.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _ids.Dispose();
        _mask.Dispose();
        _encoder.Dispose();
    }
}
