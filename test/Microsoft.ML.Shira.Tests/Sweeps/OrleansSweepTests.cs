using Microsoft.Extensions.Configuration;
using Microsoft.ML.Shira.Sweeps;
using Microsoft.ML.Shira.Sweeps.Orleans;
using Microsoft.ML.Shira.Tests.MlNet;
using Microsoft.ML.Shira.TextClassification;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;
using Orleans.TestingHost;

namespace Microsoft.ML.Shira.Tests.Sweeps;

/// <summary>
/// Distributed sweeps on an in-process Orleans cluster of three silos (Microsoft.Orleans.TestingHost), each hosting
/// sweep workers that really train: trials spread over the silos, and a silo stopped mid-trial has its trial re-run
/// on another silo while the sweep still finishes with every trial scored.
/// </summary>
[TestClass]
public sealed class OrleansSweepTests
{
    private const string Work = "sst2-small";

    private static readonly string Results = TestPaths.NewTempDirectory();

    /// <summary>The same experiment on the coordinator and on every silo (each machine would load its own copy of the data).</summary>
    private static ShiraSweepExperiment Experiment()
    {
        var ml = new MLContext(seed: 1);
        return ml.Shira().CreateSweep(
                ml.Data.LoadFromEnumerable(Sst2Data.ReadBinary("train", 96, skip: 500)),
                new ShiraTextClassificationOptions { Epochs = 1, BatchSize = 16, MaxSequenceLength = 24, NumberOfThreads = 1 })
            .SetValidationData(ml.Data.LoadFromEnumerable(Sst2Data.ReadBinary("dev", 64)))
            .SetSearchSpace(new ShiraSearchSpace().Add(new ChoiceParameter(SweepParameterNames.LearningRateMultiplier, 0.25, 0.5, 1.0, 2.0)))
            .SetTuner(SweepTuners.Grid())
            .SetSeed(3);
    }

    /// <summary>
    /// How long a call waits for a trial. A call to a killed silo fails when this runs out (or sooner, once the
    /// cluster declares the silo dead); trials here take seconds, so a short timeout keeps the kill test short.
    /// </summary>
    private static TimeSpan _responseTimeout;

    public sealed class WorkerSilo : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) => siloBuilder
            .AddShiraSweepWorker(Work, _ => Experiment().CreateTrialWork(), Results)
            .Configure<SiloMessagingOptions>(o => o.ResponseTimeout = _responseTimeout);
    }

    public sealed class Client : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder clientBuilder) =>
            clientBuilder.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = _responseTimeout);
    }

    private static async Task<TestCluster> StartCluster(TimeSpan responseTimeout)
    {
        _responseTimeout = responseTimeout;
        var builder = new TestClusterBuilder(3);
        builder.AddSiloBuilderConfigurator<WorkerSilo>();
        builder.AddClientBuilderConfigurator<Client>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    [TestMethod]
    public async Task TrialsRunOnEverySiloAndTheBestModelComesBack()
    {
        await using var cluster = await StartCluster(TimeSpan.FromMinutes(5));
        using var result = await Experiment().SetTrialRunner(new OrleansTrialRunner(cluster.Client, Work, maxConcurrentTrials: 3)).SetMaxTrials(3).RunAsync();

        Assert.HasCount(3, result.Trials);
        Assert.IsTrue(result.Trials.All(t => t.Status == SweepTrialStatus.Succeeded), string.Join("; ", result.Trials));
        var silos = cluster.Silos.Select(s => s.SiloAddress.ToString()).ToHashSet();
        CollectionAssert.AreEquivalent(silos.ToList(), result.Trials.Select(t => t.Outcome.Worker).ToList(), "Three trials in flight, one per silo.");
        Assert.IsTrue(result.Trials.All(t => File.Exists(t.Outcome.ModelPath)));

        // The remote trial's metric is the one the coordinator measures on the model it loaded, and a local run of the
        // same trial gives the same metric (training is deterministic on the CPU).
        var ml = new MLContext(seed: 1);
        var validation = ml.Data.LoadFromEnumerable(Sst2Data.ReadBinary("dev", 64));
        var best = (ShiraTextClassificationTransformer)result.BestModel!;
        Assert.AreEqual(result.BestTrial!.Metric!.Value, ml.BinaryClassification.Evaluate(best.Transform(validation)).Accuracy, 1e-12);
        using var local = Experiment().SetMaxTrials(3).RunAsync().Result;
        CollectionAssert.AreEqual(local.Trials.Select(t => t.Metric).ToList(), result.Trials.Select(t => t.Metric).ToList());
    }

    [TestMethod]
    public async Task ASiloStoppedMidTrialHasItsTrialRerunElsewhere()
    {
        await using var cluster = await StartCluster(TimeSpan.FromSeconds(45));
        var runner = new OrleansTrialRunner(cluster.Client, Work, maxConcurrentTrials: 2);
        var sweep = Experiment().SetTrialRunner(runner).SetMaxTrials(4).RunAsync();

        // Wait until a secondary silo hosts a trial worker (trial slots 1 and 2 go to silos 1 and 2 of 3), then kill it.
        var management = cluster.Client.GetGrain<IManagementGrain>(0);
        SiloAddress? victim = null;
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (victim is null && DateTime.UtcNow < deadline && !sweep.IsCompleted)
        {
            var stats = await management.GetDetailedGrainStatistics();
            victim = stats
                .Where(s => s.GrainType.Contains("SweepTrialWorker", StringComparison.OrdinalIgnoreCase))
                .Select(s => s.SiloAddress)
                .FirstOrDefault(a => !a.Equals(cluster.Primary!.SiloAddress));
            if (victim is null)
                await Task.Delay(50);
        }
        Assert.IsNotNull(victim, "A trial started on a secondary silo.");
        var killed = cluster.Silos.Single(s => s.SiloAddress.Equals(victim));
        await cluster.KillSiloAsync(killed);

        using var result = await sweep;
        Assert.HasCount(4, result.Trials, "The leaderboard is complete.");
        Assert.IsTrue(result.Trials.All(t => t.Status == SweepTrialStatus.Succeeded), string.Join("; ", result.Trials));
        var rerun = result.Trials.Where(t => t.Attempts > 1).ToList();
        Assert.IsNotEmpty(rerun, "The killed silo's trial was started again.");
        Assert.IsTrue(result.Trials.All(t => t.Outcome.Worker != victim!.ToString()), "No result came from the killed silo.");
        Console.WriteLine(result.FormatLeaderboard());
        Console.WriteLine($"Killed {victim}; re-run trials: {string.Join(", ", rerun.Select(t => $"{t.Id} ({t.Attempts} attempts, on {t.Outcome.Worker})"))}.");
    }
}
