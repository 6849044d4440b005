using BenchmarkDotNet.Attributes;

/// <summary>
/// Issue (evaluation/performance): one training step (forward + backward + AdamW) of MiniLM-L6 + a classification head,
/// batch 32 × sequence 64, for SHiRA (sparse and dense gradient paths), LoRA at SHiRA's trainable count, full
/// fine-tuning and head-only. Peak native memory is measured separately (<c>--peak-memory</c>, see PeakMemoryRunner).
/// </summary>
public class TrainingStepBenchmarks
{
    private readonly Dictionary<TrainingMethod, TrainingStepSetup> _setups = new();

    /// <summary>Loads the encoder for LoRA only (each benchmark sets up its own method).</summary>
    [GlobalSetup(Target = nameof(Lora))]
    public void SetupLora() => Setup(TrainingMethod.Lora);

    /// <summary>Loads the encoder for the SHiRA sparse path.</summary>
    [GlobalSetup(Target = nameof(ShiraSparse))]
    public void SetupShiraSparse() => Setup(TrainingMethod.ShiraSparse);

    /// <summary>Loads the encoder for the SHiRA dense path.</summary>
    [GlobalSetup(Target = nameof(ShiraDense))]
    public void SetupShiraDense() => Setup(TrainingMethod.ShiraDense);

    /// <summary>Loads the encoder for full fine-tuning.</summary>
    [GlobalSetup(Target = nameof(Full))]
    public void SetupFull() => Setup(TrainingMethod.Full);

    /// <summary>Loads the encoder for head-only training.</summary>
    [GlobalSetup(Target = nameof(HeadOnly))]
    public void SetupHeadOnly() => Setup(TrainingMethod.HeadOnly);

    /// <summary>LoRA, the baseline.</summary>
    [Benchmark(Baseline = true)]
    public double Lora() => _setups[TrainingMethod.Lora].Step();

    /// <summary>SHiRA, value gradient at the k positions only.</summary>
    [Benchmark]
    public double ShiraSparse() => _setups[TrainingMethod.ShiraSparse].Step();

    /// <summary>SHiRA through plain autograd.</summary>
    [Benchmark]
    public double ShiraDense() => _setups[TrainingMethod.ShiraDense].Step();

    /// <summary>Every encoder parameter.</summary>
    [Benchmark]
    public double Full() => _setups[TrainingMethod.Full].Step();

    /// <summary>The head only.</summary>
    [Benchmark]
    public double HeadOnly() => _setups[TrainingMethod.HeadOnly].Step();

    private void Setup(TrainingMethod method)
    {
        int threads = BenchmarkThreads.Apply();
        var setup = TrainingStepSetup.Create(method);
        _setups[method] = setup;
        Console.WriteLine($"// {method}: {setup.Description}; trainable outside the head {setup.AdapterParameters:N0}; threads {threads}");
    }

    /// <summary>Releases the models.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var setup in _setups.Values)
            setup.Dispose();
        _setups.Clear();
    }
}
