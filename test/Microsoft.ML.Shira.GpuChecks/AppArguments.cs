namespace Microsoft.ML.Shira.GpuChecks;

/// <summary>The command line of the checks app.</summary>
internal sealed record AppArguments
{
    public const string Usage =
        "usage: Microsoft.ML.Shira.GpuChecks [--libtorch DIR] (diagnostics | checks [--device cuda|cpu] [--data DIR] | bench [--device cuda|cpu] [--small] [--steps N] [--memory-only]) [--out DIR]";

    public string Command { get; private init; } = "";
    public string? LibTorch { get; private init; }
    public string Device { get; private init; } = "cuda";
    public string DataDirectory { get; private init; } = DefaultDataDirectory();
    public string? OutDirectory { get; private init; }
    public bool Small { get; private init; }
    public int? Steps { get; private init; }
    public bool MemoryOnly { get; private init; }
    public string? Error { get; private init; }

    public static AppArguments Parse(IReadOnlyList<string> args)
    {
        var parsed = new AppArguments { OutDirectory = Environment.GetEnvironmentVariable("OUT") is { Length: > 0 } o ? o : null };
        for (int i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            try
            {
                parsed = args[i] switch
                {
                    "--libtorch" => parsed with { LibTorch = Value() },
                    "--device" => parsed with { Device = Value() },
                    "--data" => parsed with { DataDirectory = Value() },
                    "--out" => parsed with { OutDirectory = Value() },
                    "--small" => parsed with { Small = true },
                    "--memory-only" => parsed with { MemoryOnly = true },
                    "--steps" => parsed with { Steps = int.Parse(Value(), System.Globalization.CultureInfo.InvariantCulture) },
                    "diagnostics" or "checks" or "bench" when parsed.Command.Length == 0 => parsed with { Command = args[i] },
                    _ => parsed with { Error = $"Unknown argument '{args[i]}'." },
                };
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException)
            {
                return parsed with { Error = ex.Message };
            }
        }
        return parsed.Command.Length == 0 && parsed.Error is null ? parsed with { Error = "Name a command." } : parsed;
    }

    /// <summary><c>data/</c> beside the app (the GPU bundle), else the repository's <c>data/</c> above it.</summary>
    private static string DefaultDataDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (Directory.Exists(Path.Combine(dir.FullName, "data", "generation")))
                return Path.Combine(dir.FullName, "data");
        }
        return Path.Combine(AppContext.BaseDirectory, "data");
    }
}
