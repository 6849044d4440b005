using Microsoft.ML.Shira.Masks;
using Microsoft.ML.Shira.Sweeps;

namespace Microsoft.ML.Shira.Tests.Sweeps;

/// <summary>
/// The tuners on a known objective (no training): a smooth function of the learning rate and the mask whose optimum
/// is known analytically, so "better" is measured against the truth, not against the tuner's own output.
/// </summary>
[TestClass]
public sealed class TunerTests
{
    /// <summary>Peak at learning-rate multiplier 1.5 and the WeightMagnitude mask; sparsity matters a little.</summary>
    private static double Objective(IReadOnlyDictionary<string, object> p) =>
        -Math.Pow(Math.Log((double)p[SweepParameterNames.LearningRateMultiplier] / 1.5), 2)
        - ((string)p[SweepParameterNames.MaskType] == nameof(MaskType.WeightMagnitude) ? 0 : 0.3)
        - 0.1 * Math.Abs(Math.Log((double)p[SweepParameterNames.Sparsity] / 0.01));

    private static ShiraSearchSpace Space() => new ShiraSearchSpace()
        .Add(new RangeParameter(SweepParameterNames.LearningRateMultiplier, 0.05, 20, logScale: true))
        .Add(new ChoiceParameter(SweepParameterNames.MaskType, MaskType.Random, MaskType.WeightMagnitude, MaskType.Struct))
        .Add(new ChoiceParameter(SweepParameterNames.Sparsity, 0.005, 0.01, 0.02))
        .Add(new IntegerParameter(SweepParameterNames.BatchSize, 4, 64, logScale: true));

    [TestMethod]
    public void EveryTunersProposalsStayInsideTheSpace()
    {
        var space = Space();
        foreach (var tuner in new[] { SweepTuners.Random(), SweepTuners.Grid(4), SweepTuners.SuccessiveHalving(1, 4, 2), SweepTuners.Tpe(startupTrials: 3) })
        {
            var history = Drive(tuner, space, 40, seed: 7);
            Assert.IsNotEmpty(history, tuner.GetType().Name);
            foreach (var trial in history)
            {
                CollectionAssert.AreEquivalent(space.Parameters.Select(p => p.Name).ToList(), trial.Trial.Parameters.Keys.ToList(), tuner.GetType().Name);
                foreach (var parameter in space.Parameters)
                    Assert.IsTrue(parameter.Contains(trial.Trial.Parameters[parameter.Name]), $"{tuner.GetType().Name}: {parameter.Name} = {trial.Trial.Parameters[parameter.Name]}");
            }
        }
    }

    [TestMethod]
    public void TheSameSeedGivesTheSameProposalsAndAnotherSeedOthers()
    {
        foreach (var make in new Func<ISweepTuner>[] { SweepTuners.Random, () => SweepTuners.SuccessiveHalving(), () => SweepTuners.Tpe() })
        {
            var first = Drive(make(), Space(), 20, seed: 3).Select(Key).ToList();
            var again = Drive(make(), Space(), 20, seed: 3).Select(Key).ToList();
            var other = Drive(make(), Space(), 20, seed: 4).Select(Key).ToList();
            CollectionAssert.AreEqual(first, again);
            CollectionAssert.AreNotEqual(first, other);
        }
    }

    [TestMethod]
    public void GridVisitsEveryCombinationOnceThenStops()
    {
        var tuner = new GridSweepTuner(pointsPerRange: 3);
        var history = Drive(tuner, Space(), 1000, seed: 0);
        Assert.AreEqual(3 * 3 * 3 * 3, tuner.Size);
        Assert.HasCount(81, history, "The sweep ends when the grid is exhausted.");
        Assert.AreEqual(81, history.Select(Key).Distinct().Count());
        var learningRates = history.Select(h => (double)h.Trial.Parameters[SweepParameterNames.LearningRateMultiplier]).Distinct().Order().ToList();
        Assert.AreEqual(0.05, learningRates[0], 1e-12);
        Assert.AreEqual(1.0, learningRates[1], 1e-12, "The log-scale midpoint of [0.05, 20] is √(0.05·20) = 1.");
        Assert.AreEqual(20, learningRates[2], 1e-9);
    }

    [TestMethod]
    public void SuccessiveHalvingPromotesOnlyTheTopOfEachRung()
    {
        var tuner = new AshaSweepTuner(minEpochs: 1, maxEpochs: 4, reductionFactor: 2);
        CollectionAssert.AreEqual(new[] { 1, 2, 4 }, tuner.RungEpochs.ToArray());
        var history = Drive(tuner, Space(), 30, seed: 5);
        var byId = history.ToDictionary(h => h.Id);
        var promoted = history.Where(h => h.Trial.ContinuesTrial is not null).ToList();
        Assert.IsNotEmpty(promoted.Where(p => p.Trial.Epochs == 4), "Some configuration reaches the top rung.");
        foreach (var p in promoted)
        {
            var parent = byId[p.Trial.ContinuesTrial!.Value];
            Assert.AreEqual(parent.Trial.Epochs * 2, p.Trial.Epochs);
            CollectionAssert.AreEquivalent(parent.Trial.Parameters.ToList(), p.Trial.Parameters.ToList());
            // When it was promoted, the parent ranked in the top half of the trials finished in its rung.
            var rungThen = history.Where(h => h.Id < p.Id && h.Trial.Epochs == parent.Trial.Epochs).ToList();
            int rank = rungThen.Count(h => h.Objective > parent.Objective);
            Assert.IsLessThan(rungThen.Count / 2, rank, $"trial {parent.Id} promoted from rank {rank} of {rungThen.Count}");
        }
        Assert.AreEqual(promoted.Count, promoted.Select(p => p.Trial.ContinuesTrial).Distinct().Count(), "A trial is promoted once.");
        Assert.ThrowsExactly<ArgumentException>(() => tuner.Start(new ShiraSearchSpace().Add(new IntegerParameter(SweepParameterNames.Epochs, 1, 3)), 0));
    }

    [TestMethod]
    public void TpeFindsBetterConfigurationsThanRandomSearchWithTheSameBudget()
    {
        // Mean over 10 seeds of the best objective after 20 trials; the optimum is 0.
        double Mean(Func<ISweepTuner> make) =>
            Enumerable.Range(1, 10).Average(seed => Drive(make(), Space(), 20, seed).Max(h => h.Objective!.Value));
        double tpe = Mean(() => SweepTuners.Tpe());
        double random = Mean(SweepTuners.Random);
        Console.WriteLine($"Best objective after 20 trials, mean of 10 seeds (optimum 0): TPE {tpe:F4}, random {random:F4}.");
        Assert.IsGreaterThan(random, tpe);
    }

    [TestMethod]
    public void ParametersRejectBadRangesAndParseWhatTheyFormat()
    {
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new RangeParameter(SweepParameterNames.LearningRate, 0, 1, logScale: true));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new RangeParameter(SweepParameterNames.LearningRate, 1, 1));
        Assert.ThrowsExactly<ArgumentException>(() => new ChoiceParameter(SweepParameterNames.MaskType));
        Assert.ThrowsExactly<ArgumentException>(() => new ChoiceParameter(SweepParameterNames.Sparsity, 0.01, 0.01));
        var space = new ShiraSearchSpace().Add(new RangeParameter(SweepParameterNames.LearningRate, 1e-4, 1e-2, logScale: true));
        Assert.ThrowsExactly<ArgumentException>(() => space.Add(new RangeParameter(SweepParameterNames.LearningRateMultiplier, 0.5, 2)));
        Assert.ThrowsExactly<ArgumentException>(() => space.Add(new RangeParameter("Momentum", 0.5, 2)));
        var random = new Random(1);
        foreach (var parameter in Space().Parameters)
            for (int i = 0; i < 50; i++)
            {
                var value = parameter.Sample(random);
                Assert.AreEqual(value, parameter.Parse(parameter.Format(value)), parameter.Name);
            }
        var targets = new ChoiceParameter(SweepParameterNames.TargetModules, new[] { "query", "value" }, new[] { "query", "key", "value", "dense" });
        CollectionAssert.AreEqual(new object[] { "query,value", "query,key,value,dense" }, targets.Values.ToList());
    }

    /// <summary>Runs a tuner for up to <paramref name="budget"/> trials, one at a time, against <see cref="Objective"/>.</summary>
    internal static List<SweepTrialResult> Drive(ISweepTuner tuner, ShiraSearchSpace space, int budget, int seed)
    {
        tuner.Start(space, seed);
        var finished = new List<SweepTrialResult>();
        for (int id = 1; id <= budget; id++)
        {
            if (tuner.Propose(finished, []) is not { } proposal)
                break;
            var trial = new SweepTrial(id, proposal.Parameters, proposal.Epochs, proposal.Promotes);
            // More epochs help a little, as in training: the objective a rung sees grows with its resource.
            double value = Objective(trial.Parameters) + 0.05 * Math.Log(trial.Epochs ?? 1);
            finished.Add(new SweepTrialResult(trial, new SweepTrialOutcome { Status = SweepTrialStatus.Succeeded, Metric = value }, SweepMetric.Accuracy, 1));
        }
        return finished;
    }

    private static string Key(SweepTrialResult r) => r.Trial.ToString() + "|" + r.Trial.Epochs;
}
