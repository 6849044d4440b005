using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.ML.Shira.Sweeps.Orleans;

/// <summary>Makes a silo a sweep worker.</summary>
public static class ShiraSweepSiloExtensions
{
    /// <summary>
    /// Hosts <see cref="ISweepTrialWorkerGrain"/>s on this silo and registers the sweep work <paramref name="name"/>:
    /// <paramref name="createWork"/> builds it from the silo's services on first use (typically the same
    /// <see cref="ShiraSweepExperiment"/> as the coordinator's, over this machine's copy of the data, then
    /// <see cref="ShiraSweepExperiment.CreateTrialWork"/>). Call it once per work; every silo needs the same names.
    /// </summary>
    /// <param name="builder">The silo.</param>
    /// <param name="name">The name the coordinator's <see cref="OrleansTrialRunner"/> asks for.</param>
    /// <param name="createWork">Builds the work.</param>
    /// <param name="resultsDirectory">Where trial models are saved: a folder the coordinator can read (shared storage across machines).</param>
    public static ISiloBuilder AddShiraSweepWorker(this ISiloBuilder builder, string name, Func<IServiceProvider, SweepTrialWork> createWork, string? resultsDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(createWork);
        var services = builder.Services;
        var options = services.Where(d => d.ServiceType == typeof(SweepWorkerOptions)).Select(d => d.ImplementationInstance).OfType<SweepWorkerOptions>().SingleOrDefault();
        if (options is null)
        {
            options = new SweepWorkerOptions();
            services.AddSingleton(options);
            services.AddSingleton<SweepWorkerRegistry>();
            services.AddPlacementDirector<SweepWorkerPlacementStrategy, SweepWorkerPlacementDirector>();
        }
        if (!options.Works.TryAdd(name, createWork))
            throw new ArgumentException($"A sweep work named '{name}' is already registered on this silo.", nameof(name));
        if (resultsDirectory is not null)
            options.ResultsDirectory = resultsDirectory;
        return builder;
    }
}
