using BenchmarkDotNet.Running;

// Runs in-process so the TorchSharp native library patched in this project's output is the one that loads.
// Usage: dotnet run -c Release --project test/Microsoft.ML.Shira.Benchmarks -- --filter '*Switch*'
// Training steps, all methods interleaved in one process: ... -- --interleaved [rounds]
// One adapted layer (SHiRA sparse/dense, both sparse forwards, LoRA), interleaved: ... -- --layers [rounds]
// The value/weight gradient alone (dense gᵀx, gather path, CPU kernel): ... -- --value-gradient [rounds]
// Sparse vs dense gradient path per dtype, shape and sparsity (the Auto rule's CPU table): ... -- --gradient-path [rounds] [tokens]
// Whole 2-layer LLaMA training steps, sparse vs dense vs Auto, fp32 and bf16: ... -- --gradient-path-model [rounds] [cpu|cuda]
// fp32 master values vs pure bf16 values, step time and optimizer-state bytes: ... -- --precision [rounds] [cpu|cuda]
// Dense gradient path recorded by autograd (keeps W_eff) vs through the SHiRA function (keeps the input): ... -- --dense-memory [rounds] [cpu|cuda]
// Causal self-attention, explicit softmax vs scaled_dot_product_attention, time and peak growth: ... -- --attention [rounds] [cpu|cuda]
// Peak training memory (fresh process per method): dotnet run -c Release --project test/Microsoft.ML.Shira.Benchmarks -- --peak-memory [steps]
// Multi-GB checkpoints (generated once), load / sharded export / load shards, fresh process each: ... -- --large-checkpoint FOLDER [2.5gb-f32] [7b-bf16]
// Charts (PNG per class) from BenchmarkDotNet CSV reports, no benchmark run: ... -- --charts docs/benchmarks/results docs/benchmarks
if (args.Length > 0 && args[0] == "--large-checkpoint")
    return LargeCheckpointRunner.Run(args);
if (args.Length > 0 && args[0] == "--large-checkpoint-child")
    return LargeCheckpointRunner.RunChild(args);
if (args.Length > 0 && args[0] == "--charts")
    return ChartCommand.Run(args);
if (args.Length > 0 && args[0] == "--peak-memory")
    return PeakMemoryRunner.RunAll(args);
if (args.Length > 0 && args[0] == "--peak-memory-child")
    return PeakMemoryRunner.RunOne(args);
if (args.Length > 0 && args[0] == "--interleaved")
    return InterleavedTrainingRunner.Run(args);
if (args.Length > 0 && args[0] == "--layers")
    return LayerStepRunner.Run(args);
if (args.Length > 0 && args[0] == "--gradient-path-model")
    return GradientPathModelRunner.Run(args);
if (args.Length > 0 && args[0] == "--gradient-path")
    return GradientPathRunner.Run(args);
if (args.Length > 0 && args[0] == "--precision")
    return PrecisionRunner.Run(args);
if (args.Length > 0 && args[0] == "--dense-memory")
    return DenseMemoryRunner.Run(args);
if (args.Length > 0 && args[0] == "--dense-memory-child")
    return DenseMemoryRunner.RunChild(args);
if (args.Length > 0 && args[0] == "--attention")
    return AttentionRunner.Run(args);
if (args.Length > 0 && args[0] == "--value-gradient")
    return ValueGradientRunner.Run(args);
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, BenchmarkConfig.Create());
return 0;

/// <summary>Entry point holder.</summary>
public partial class Program;
