namespace Microsoft.ML.Shira.Sweeps.Orleans;

/// <summary>
/// The sweep works a silo can run, by name, and the folder where it saves trial models. Each work is built on first
/// use, from the silo's own services, and kept for the silo's life (its data is loaded once).
/// </summary>
public sealed class SweepWorkerRegistry(IServiceProvider services, SweepWorkerOptions options)
{
    private readonly Dictionary<string, Lazy<SweepTrialWork>> _works = options.Works.ToDictionary(
        w => w.Key, w => new Lazy<SweepTrialWork>(() => w.Value(services), LazyThreadSafetyMode.ExecutionAndPublication));

    /// <summary>Where trial models are saved (a folder the coordinator can read).</summary>
    public string ResultsDirectory => options.ResultsDirectory;

    /// <summary>The work registered as <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No work has that name on this silo.</exception>
    public SweepTrialWork Get(string name) =>
        _works.TryGetValue(name, out var work)
            ? work.Value
            : throw new KeyNotFoundException($"No sweep work named '{name}' is registered on this silo (registered: {string.Join(", ", _works.Keys)}); call AddShiraSweepWorker with it on every silo.");
}

/// <summary>What <c>AddShiraSweepWorker</c> registers.</summary>
public sealed class SweepWorkerOptions
{
    /// <summary>Factories of the works this silo runs, by name.</summary>
    public Dictionary<string, Func<IServiceProvider, SweepTrialWork>> Works { get; } = [];

    /// <summary>Where trial models are saved; default a folder under the system's temporary folder.</summary>
    public string ResultsDirectory { get; set; } = Path.Combine(Path.GetTempPath(), "shira-sweep-results");
}
