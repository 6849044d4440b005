using System.Diagnostics;
using Microsoft.ML.Shira.Adapters.Injection;
using Microsoft.ML.Shira.Adapters.Layers;
using Microsoft.ML.Shira.Adapters.Switching;
using Microsoft.ML.Shira.Masks;
using Microsoft.ML.Shira.Models.Llama;
using Microsoft.ML.Shira.Runtime.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.GpuChecks.Bench;

/// <summary>
/// Ours on the shape of benchmarks/peers/peft_bench.py: train step (forward, backward, AdamW at lr 5e-4) at the defaults
/// and per gradient path, the device's memory, whole-model switch apply + restore, and greedy generation with the KV
/// cache at batch 1 and 16. Random weights in bfloat16; random token ids. Under libtorch's <c>backend:cudaMallocAsync</c>
/// allocator it also reports each train-step configuration's peak allocated memory from the device's default memory pool
/// (<see cref="BenchResult.PeakAllocatedGiB"/>); <c>--memory-only</c> stops after the train steps.
/// </summary>
public static class ShiraBenchmark
{
    public static BenchResult Run(BenchOptions options, TextWriter log)
    {
        var shape = options.Small ? BenchShape.Small : BenchShape.Anchor;
        if (options.Steps is int steps)
            shape = shape with { TrainSteps = steps };
        var device = torch.device(options.Device);
        bool isCuda = device.type == DeviceType.CUDA;
        void Sync()
        {
            if (isCuda)
                cuda.synchronize(device);
        }
        double? UsedGiB() => isCuda && CudaDriver.MemoryInfo() is { } m ? (m.Total - m.Free) / (1024.0 * 1024 * 1024) : null;
        int deviceIndex = device.index < 0 ? 0 : device.index;

        manual_seed(0);
        if (isCuda)
            cuda.manual_seed_all(0);
        var config = new LlamaConfig
        {
            VocabSize = shape.Vocabulary, HiddenSize = shape.Hidden, IntermediateSize = shape.Intermediate, NumHiddenLayers = shape.Layers,
            NumAttentionHeads = shape.Heads, NumKeyValueHeads = shape.KeyValueHeads, MaxPositionEmbeddings = 2048, RmsNormEps = 1e-5,
        };
        log.WriteLine($"bench: {shape.Name} on {device}, bfloat16, batch {shape.Batch} × {shape.Sequence}, r = {shape.Rank}");
        double? before = UsedGiB();
        using var model = new LlamaForCausalLM(config, ScalarType.BFloat16, device);
        var injection = ShiraInjector.Inject(model, new ShiraInjectionOptions
        {
            TargetModules = CheckTargets,
            Budget = ShiraBudget.FromRank(shape.Rank),
            // As the trainers do: each layer frees its saved input once its backward has run (one backward per graph).
            FreeInputAfterBackward = true,
        }, new RandomMask(0));
        var result = new BenchResult
        {
            Device = device.ToString(), Shape = shape.Name, DType = "bfloat16", Batch = shape.Batch, Sequence = shape.Sequence, Rank = shape.Rank,
            TrainableValues = injection.TrainableParameters, ValuesDType = injection.Layers[0].Layer.Values.dtype.ToString(),
            DefaultGradientPath = injection.Layers[0].Layer.GradientPath.ToString(),
            DeviceUsedBeforeModelGiB = before, PromptTokens = shape.PromptTokens, NewTokens = shape.NewTokens, MemoryOnly = options.MemoryOnly,
        };
        log.WriteLine($"bench: {injection.Layers.Count} adapted matrices, {injection.TrainableParameters:N0} trainable values ({result.ValuesDType}), default path {result.DefaultGradientPath}");
        bool poolIsTensors = false;
        if (isCuda)
        {
            // The pool figure means "allocated by PyTorch tensors" only under backend:cudaMallocAsync; the pool holding at
            // least the model's parameters confirms that the libtorch actually loaded took the setting.
            var (backend, reason) = CudaAllocatorBackend.FromEnvironment();
            result.AllocatorBackend = $"{backend}: {reason}";
            Sync();
            long parameterBytes = model.parameters().Sum(p => p.numel() * p.element_size());
            var pool = CudaDriver.DefaultPoolStatistics(deviceIndex);
            poolIsTensors = backend == CudaAllocatorBackend.Kind.CudaMallocAsync && pool is { } p0 && p0.UsedBytes >= parameterBytes;
            if (!poolIsTensors)
            {
                result.PeakAllocatedNote = backend != CudaAllocatorBackend.Kind.CudaMallocAsync
                    ? $"not measured: libtorch's allocator is not backend:cudaMallocAsync ({result.AllocatorBackend})"
                    : pool is { } p1
                        ? $"not measured: the default memory pool holds {p1.UsedBytes:N0} bytes, less than the model's {parameterBytes:N0} parameter bytes, so the loaded libtorch did not take backend:cudaMallocAsync"
                        : "not measured: the CUDA driver answered no memory pool statistics";
            }
            log.WriteLine($"bench: allocator {result.AllocatorBackend}; pool statistics {(poolIsTensors ? "are PyTorch's allocations" : result.PeakAllocatedNote)}");
        }

        // Training: the defaults first, then each path explicitly.
        var generator = new Generator(1, device);
        using var ids = randint(0, shape.Vocabulary, [shape.Batch, shape.Sequence], generator: generator, dtype: ScalarType.Int64, device: device);
        model.train();
        double peak = 0;
        foreach (string path in new[] { "default", nameof(ShiraGradientPath.Sparse), nameof(ShiraGradientPath.Dense) })
        {
            if (path != "default")
            {
                foreach (var layer in injection.Layers)
                    layer.Layer.GradientPath = Enum.Parse<ShiraGradientPath>(path);
            }
            using var optimizer = optim.AdamW(injection.Parameters(), lr: 5e-4);
            double Step()
            {
                using var scope = NewDisposeScope();
                optimizer.zero_grad();
                var logits = model.Forward(ids);
                var loss = nn.functional.cross_entropy(logits[.., ..^1].reshape(-1, shape.Vocabulary).to(ScalarType.Float32), ids[.., 1..].reshape(-1));
                loss.backward();
                optimizer.step();
                return loss.item<float>();
            }
            for (int i = 0; i < 2; i++)
                Step();
            Sync();
            if (poolIsTensors)
                poolIsTensors = CudaDriver.ResetDefaultPoolPeaks(deviceIndex);
            var losses = new List<double>();
            var watch = Stopwatch.StartNew();
            for (int i = 0; i < shape.TrainSteps; i++)
            {
                losses.Add(Step()); // item() synchronises: every step is complete when timed.
                peak = Math.Max(peak, UsedGiB() ?? 0);
            }
            Sync();
            result.TrainStepMs[path] = watch.Elapsed.TotalMilliseconds / shape.TrainSteps;
            if (path == "default")
                result.Loss = [losses[0], losses[^1]];
            string memory = "";
            if (poolIsTensors && CudaDriver.DefaultPoolStatistics(deviceIndex) is { } stats)
            {
                result.PeakAllocatedGiB[path] = stats.UsedPeakBytes / (1024.0 * 1024 * 1024);
                result.PeakReservedGiB[path] = stats.ReservedPeakBytes / (1024.0 * 1024 * 1024);
                memory = $", peak allocated {result.PeakAllocatedGiB[path]:F3} GiB, reserved {result.PeakReservedGiB[path]:F3} GiB";
            }
            log.WriteLine($"bench: train step ({path}) {result.TrainStepMs[path]:F1} ms, loss {losses[0]:F4} → {losses[^1]:F4}{memory}");
        }
        result.DeviceUsedPeakGiB = isCuda ? peak : null;
        if (poolIsTensors && result.PeakAllocatedGiB.Count < result.TrainStepMs.Count)
            result.PeakAllocatedNote = "the CUDA driver refused a pool statistic or reset for some configurations";
        if (options.MemoryOnly)
            return result;

        // Switching: the trained values as an adapter over the plain model.
        var adapter = injection.ToAdapter("bench");
        injection.Unload();
        result.SwitchMatrices = adapter.Layers.Count;
        result.SwitchEntries = adapter.ParameterCount;
        bool exact = true;
        foreach (bool consolidate in new[] { false, true })
        {
            Dictionary<string, Tensor> Stash() => adapter.Layers.Values.ToDictionary(l => l.ModulePath, l =>
            {
                var weight = model.get_parameter(l.ModulePath + ".weight")!;
                using var positions = tensor(l.FlatIndices(), device: device);
                return weight.detach().flatten().index_select(0, positions);
            });
            using var switcher = new FusedAdapterSwitcher(model, consolidateWeights: consolidate);
            switcher.Register(adapter);
            var stash = Stash();
            for (int i = 0; i < 3; i++)
            {
                switcher.Activate("bench");
                switcher.Deactivate();
            }
            Sync();
            var watch = Stopwatch.StartNew();
            for (int i = 0; i < shape.SwitchRepeats; i++)
            {
                switcher.Activate("bench");
                switcher.Deactivate();
            }
            Sync();
            string name = consolidate ? "consolidated" : "per_layer";
            result.SwitchMs[name] = watch.Elapsed.TotalMilliseconds / shape.SwitchRepeats;
            foreach (var (path, restored) in Stash())
            {
                exact &= Checks.CheckModels.SameBits(restored, stash[path]);
                restored.Dispose();
                stash[path].Dispose();
            }
            log.WriteLine($"bench: switch apply + restore ({name}) {result.SwitchMs[name]:F3} ms over {result.SwitchMatrices} matrices, {result.SwitchEntries:N0} entries");
        }
        result.SwitchRestoreBitExact = exact;
        (result.SwitchKernelsMs, result.SwitchKernelsBitExact) = SwitchKernels.Measure(model, adapter, shape.SwitchRepeats, Sync);
        log.WriteLine($"bench: bare kernels, apply + restore on a flat copy: {string.Join(", ", result.SwitchKernelsMs.Select(k => $"{k.Key} {k.Value:F3} ms"))}; bit-exact: {result.SwitchKernelsBitExact}");

        // Generation: greedy, KV cache, the base model.
        model.eval();
        foreach (int batch in new[] { 1, 16 })
        {
            double Generate(int newTokens)
            {
                using var scope = NewDisposeScope();
                using var noGrad = no_grad();
                var prompt = randint(0, shape.Vocabulary, [batch, shape.PromptTokens], generator: generator, dtype: ScalarType.Int64, device: device);
                using var cache = model.CreateCache();
                Sync();
                var watch = Stopwatch.StartNew();
                var next = model.Forward(prompt, cache: cache, lastPositionOnly: true).argmax(-1);
                for (int t = 1; t < newTokens; t++)
                    next = model.Forward(next, cache: cache, lastPositionOnly: true).argmax(-1);
                Sync();
                return watch.Elapsed.TotalSeconds;
            }
            Generate(Math.Min(8, shape.NewTokens));
            double seconds = Generate(shape.NewTokens);
            result.GenerateTokensPerSecond[batch.ToString(System.Globalization.CultureInfo.InvariantCulture)] = batch * shape.NewTokens / seconds;
            log.WriteLine($"bench: generate batch {batch}: {batch * shape.NewTokens / seconds:F1} tokens/s ({shape.PromptTokens}-token prompt, {shape.NewTokens} new tokens)");
        }
        return result;
    }

    private static readonly string[] CheckTargets = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"];
}
