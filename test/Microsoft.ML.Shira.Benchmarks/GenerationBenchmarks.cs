using BenchmarkDotNet.Attributes;
using Microsoft.ML.Shira.BaseModels;
using Microsoft.ML.Shira.Decoding;

/// <summary>Issue #3: stories260K greedy generation, with and without the KV cache (128 new tokens).</summary>
public class GenerationBenchmarks
{
    private const int NewTokens = 128;
    private PretrainedDecoder _decoder = null!;

    /// <summary>Loads the embedded model.</summary>
    [GlobalSetup]
    public void Setup() => _decoder = PretrainedDecoders.Stories260K();

    /// <summary>KV cache: one new position per step.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = NewTokens)]
    public int WithKvCache() => Generate(useCache: true);

    /// <summary>No cache: the whole prefix again at every step.</summary>
    [Benchmark(OperationsPerInvoke = NewTokens)]
    public int WithoutKvCache() => Generate(useCache: false);

    /// <summary>Releases the model.</summary>
    [GlobalCleanup]
    public void Cleanup() => _decoder.Dispose();

    private int Generate(bool useCache)
    {
        var options = new GenerationOptions { MaxNewTokens = NewTokens, UseCache = useCache, StopAtEndOfSequence = false };
        var result = _decoder.Generator.Generate("Once upon a time", options);
        if (result.GeneratedIds.Count != NewTokens)
            throw new InvalidOperationException($"Generated {result.GeneratedIds.Count} tokens, expected {NewTokens}.");
        return result.GeneratedIds.Count;
    }
}
