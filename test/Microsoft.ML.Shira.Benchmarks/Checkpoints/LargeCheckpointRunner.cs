using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.ML;
using Microsoft.ML.Shira;
using Microsoft.ML.Shira.Checkpoints.HuggingFace;
using Microsoft.ML.Shira.ModelFiles;
using Microsoft.ML.Shira.TextGeneration;
using Microsoft.ML.Shira.IO.Safetensors;
using Microsoft.ML.Shira.Models.Llama;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// Loading and exporting multi-gigabyte checkpoints: <c>--large-checkpoint FOLDER [PRESET…]</c>. For each preset a
/// LLaMA-shaped checkpoint is generated once in <c>FOLDER/PRESET</c> (random bf16/f32 values, streamed to disk), then
/// three fresh child processes each measure one step: loading it with <c>HuggingFaceLoader</c>, exporting it in 5 GB
/// shards with <c>HuggingFaceExporter</c>, and loading the sharded export. Reported per step: wall time, the model's
/// own bytes, the largest tensor, the peak of anonymous resident memory (sampled every 5 ms from
/// <c>/proc/self/status</c> RssAnon: the memory that must fit in RAM) and VmHWM (which also counts the pages of the
/// memory-mapped file, reclaimable page cache).
/// Loading is measured twice: as is, and with libtorch's <c>THP_MEM_ALLOC_ENABLE=1</c> (transparent huge pages for its
/// CPU allocations), since first-touch page faults of the freshly allocated model, not the copy, dominate the load.
/// Presets: <c>2.5gb-f32</c> (hidden 4096, 2 layers, untied head: the 2.47 GiB file that <c>File.ReadAllBytes</c> refused)
/// and <c>7b-bf16</c> (LLaMA-2-7B's shape in bf16, 13.5 GB).
/// </summary>
public static class LargeCheckpointRunner
{
    private static readonly Dictionary<string, (LlamaConfig Config, ScalarType DType)> Presets = new()
    {
        ["2.5gb-f32"] = (new LlamaConfig { NumHiddenLayers = 2 }, ScalarType.Float32),
        ["7b-bf16"] = (new LlamaConfig(), ScalarType.BFloat16),
    };

    /// <summary>Parent: generates the checkpoints, runs one child per step, prints a table.</summary>
    public static int Run(string[] args)
    {
        if (args.Length < 2)
        {
            Console.Error.WriteLine("usage: --large-checkpoint FOLDER [" + string.Join("|", Presets.Keys) + " …]");
            return 2;
        }
        string root = Path.GetFullPath(args[1]);
        var presets = args.Length > 2 ? args[2..] : Presets.Keys.ToArray();
        Console.WriteLine($"Large checkpoints, {Environment.ProcessorCount} cores, {TotalMemoryGiB():F1} GiB RAM");
        Console.WriteLine("| checkpoint | step | files (GB) | time (s) | model (GB) | largest tensor (GB) | peak RssAnon (GB) | peak − model (GB) | VmHWM (GB) |");
        Console.WriteLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (string preset in presets)
        {
            string folder = Path.Combine(root, preset);
            Generate(folder, Presets[preset].Config, Presets[preset].DType);
            string export = Path.Combine(folder, "export");
            var steps = new List<(string, string, bool)> { ("load", folder, false), ("load", folder, true), ("export 5 GB shards", folder, false), ("load shards", export, false) };
            if (preset == "2.5gb-f32")
                steps.AddRange([(SaveModelFile, folder, false), (LoadModelFile, folder, false)]);
            foreach (var (step, path, hugePages) in steps)
            {
                var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
                if (hugePages)
                    start.Environment["THP_MEM_ALLOC_ENABLE"] = "1";
                string label = hugePages ? step + ", THP_MEM_ALLOC_ENABLE=1" : step;
                // Started through the app host, the program is the process itself; through 'dotnet', its assembly comes first.
                if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
                    start.ArgumentList.Add(typeof(LargeCheckpointRunner).Assembly.Location);
                foreach (string arg in new[] { "--large-checkpoint-child", step, path, preset })
                    start.ArgumentList.Add(arg);
                using var child = Process.Start(start)!;
                string output = child.StandardOutput.ReadToEnd();
                child.WaitForExit();
                var line = output.Split('\n').FirstOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal));
                if (child.ExitCode != 0 || line is null)
                {
                    Console.WriteLine($"| {preset} | {label} | failed (exit {child.ExitCode}) | | | | | | |");
                    Console.Error.WriteLine(output);
                    continue;
                }
                var f = line.Split(' ')[1..].Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
                double files = step is SaveModelFile or LoadModelFile
                    ? new FileInfo(Path.Combine(folder, ModelFileName)).Length / 1e9
                    : Directory.GetFiles(step == "load shards" ? export : folder, "*.safetensors").Sum(p => new FileInfo(p).Length) / 1e9;
                Console.WriteLine(FormattableString.Invariant(
                    $"| {preset} | {label} | {files:F2} | {f[0]:F1} | {f[1] / 1e9:F2} | {f[2] / 1e9:F2} | {f[3] / 1e9:F2} | {(f[3] - f[1]) / 1e9:F2} | {f[4] / 1e9:F2} |"));
            }
        }
        return 0;
    }

    /// <summary>Child: one step; prints <c>RESULT seconds modelBytes largestTensorBytes peakAnonBytes vmHwmBytes</c>.</summary>
    public static int RunChild(string[] args)
    {
        string step = args[1], folder = args[2], preset = args[3];
        var dtype = Presets[preset].DType;
        using var sampler = new AnonymousMemorySampler();
        if (step is SaveModelFile or LoadModelFile)
            return ModelFileStep(step, folder, sampler);
        var clock = Stopwatch.StartNew();
        using var model = HuggingFaceLoader.Load(folder, new HuggingFaceLoadOptions { DType = dtype });
        if (step.StartsWith("export", StringComparison.Ordinal))
        {
            clock.Restart();
            sampler.Reset();
            HuggingFaceExporter.Save(model, Path.Combine(folder, "export"));
        }
        double seconds = clock.Elapsed.TotalSeconds;
        var parameters = model.Module.state_dict().Values.ToList();
        long modelBytes = parameters.Sum(t => t.NumberOfElements * t.ElementSize);
        long largest = parameters.Max(t => t.NumberOfElements * t.ElementSize);
        Console.WriteLine(FormattableString.Invariant(
            $"RESULT {seconds:F2} {modelBytes} {largest} {sampler.PeakBytes} {Status("VmHWM") * 1024}"));
        return 0;
    }

    private const string SaveModelFile = "save model file (base embedded)";
    private const string LoadModelFile = "load model file";
    private const string ModelFileName = "model.zip";

    /// <summary>
    /// A SHiRA text generator on the checkpoint as its base (one training step on four sentences; stories260K's
    /// tokenizer, whose 512 ids lie within the config's vocabulary), saved as a model file with the base embedded, or
    /// that file loaded back. Measured: the save, or the load, alone.
    /// </summary>
    private static int ModelFileStep(string step, string folder, AnonymousMemorySampler sampler)
    {
        string file = Path.Combine(folder, ModelFileName);
        var ml = new MLContext(seed: 1);
        var clock = Stopwatch.StartNew();
        ITransformer model;
        if (step == SaveModelFile)
        {
            string tokenizer = Path.Combine(folder, "tokenizer.model");
            if (!File.Exists(tokenizer))
                File.Copy(Path.Combine(RepositoryRoot(), "src", "Microsoft.ML.Shira", "Resources", "stories260K", "tokenizer.model"), tokenizer);
            var rows = ml.Data.LoadFromEnumerable(new[] { "Once upon a time there was a cat.", "The dog ran to the park.", "She had a red ball.", "They played all day." }
                .Select(text => new TextRow { Text = text }));
            var trained = ml.Shira().Train(rows, new ShiraTextGenerationOptions
            {
                BaseModel = ShiraDecoderBaseModel.FromFolder(folder),
                Epochs = 1,
                BatchSize = 4,
                MaxSequenceLength = 16,
                NumberOfThreads = Environment.ProcessorCount,
            });
            clock.Restart();
            sampler.Reset();
            ml.Shira().Model.Save(trained, rows.Schema, file, new ShiraSaveOptions { EmbedBaseModel = true });
            model = trained;
        }
        else
        {
            model = ml.Shira().Model.Load(file, out _);
        }
        double seconds = clock.Elapsed.TotalSeconds;
        long modelBytes = new FileInfo(Path.Combine(folder, HuggingFaceLoader.WeightsFileName)).Length;
        Console.WriteLine(FormattableString.Invariant($"RESULT {seconds:F2} {modelBytes} 0 {sampler.PeakBytes} {Status("VmHWM") * 1024}"));
        (model as IDisposable)?.Dispose();
        return 0;
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Microsoft.ML.Shira.sln")))
            dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Cannot find the repository root above " + AppContext.BaseDirectory);
    }

    private sealed class TextRow
    {
        public string Text { get; set; } = "";
    }

    /// <summary>Writes config.json and model.safetensors of a random LLaMA model, one tensor at a time (skipped when present).</summary>
    private static void Generate(string folder, LlamaConfig config, ScalarType dtype)
    {
        string weights = Path.Combine(folder, HuggingFaceLoader.WeightsFileName);
        if (File.Exists(weights))
            return;
        Directory.CreateDirectory(folder);
        var clock = Stopwatch.StartNew();
        using var shapes = new LlamaForCausalLM(config, dtype, new Device(DeviceType.META));
        File.WriteAllText(Path.Combine(folder, HuggingFaceLoader.ConfigFileName), shapes.ToConfigJson());
        // One 64 MB block of N(0, 0.02²) values, repeated: the values do not matter for memory and speed.
        using var block = randn(new long[] { (64L << 20) / (dtype == ScalarType.BFloat16 ? 2 : 4) }).mul_(0.02).to(dtype);
        byte[] pattern = block.bytes.ToArray();
        string temp = weights + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            var ordered = SafetensorsWriter.WriteHeader(stream, shapes.Module.state_dict(), new Dictionary<string, string> { ["format"] = "pt" });
            foreach (var (_, tensor) in ordered)
            {
                for (long left = SafetensorsWriter.DataBytes(tensor); left > 0; left -= pattern.Length)
                    stream.Write(pattern, 0, (int)Math.Min(left, pattern.Length));
            }
        }
        File.Move(temp, weights);
        Console.WriteLine(FormattableString.Invariant($"generated {weights}: {new FileInfo(weights).Length / 1e9:F2} GB in {clock.Elapsed.TotalSeconds:F0} s"));
    }

    private static double TotalMemoryGiB() => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (double)(1L << 30);

    /// <summary>A <c>/proc/self/status</c> field in KiB.</summary>
    private static long Status(string field)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
                return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        }
        throw new InvalidOperationException($"/proc/self/status has no {field}.");
    }

    /// <summary>Samples RssAnon every 5 ms on a background thread and keeps the maximum.</summary>
    private sealed class AnonymousMemorySampler : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Thread _thread;
        private long _peakKib;

        public AnonymousMemorySampler()
        {
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
                throw new PlatformNotSupportedException("The large-checkpoint benchmark reads /proc/self/status (Linux).");
            _thread = new Thread(() =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    long now = Status("RssAnon");
                    long seen;
                    while (now > (seen = Interlocked.Read(ref _peakKib)) && Interlocked.CompareExchange(ref _peakKib, now, seen) != seen)
                    {
                    }
                    Thread.Sleep(5);
                }
            }) { IsBackground = true };
            _thread.Start();
        }

        public long PeakBytes => Math.Max(Interlocked.Read(ref _peakKib), Status("RssAnon")) * 1024;

        public void Reset() => Interlocked.Exchange(ref _peakKib, Status("RssAnon"));

        public void Dispose()
        {
            _stop.Cancel();
            _thread.Join();
            _stop.Dispose();
        }
    }
}
