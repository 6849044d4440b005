using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

// Runs in-process so the TorchSharp native library patched in this project's output is the one that loads.
// Usage: dotnet run -c Release --project test/Microsoft.ML.Shira.Benchmarks -- --filter '*Switch*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, BenchmarkConfig.Create());

/// <summary>Entry point holder.</summary>
public partial class Program;
