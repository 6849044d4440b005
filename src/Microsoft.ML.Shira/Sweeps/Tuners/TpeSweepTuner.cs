namespace Microsoft.ML.Shira.Sweeps;

/// <summary>
/// Tree-structured Parzen estimator (Bergstra et al., 2011), the model-based tuner of Hyperopt and Optuna. After a few
/// random trials it splits the finished ones into the best <c>goodFraction</c> and the rest, fits one density per
/// group and parameter (a Gaussian mixture over the range's unit interval with a uniform prior component; smoothed
/// frequencies for choices), draws candidates from the good density and proposes the one with the largest ratio of
/// good to bad density. Chosen over a Gaussian process because sweeps here are short (tens of trials), mix choices
/// with ranges, and must be cheap and deterministic to propose; TPE handles all three without a matrix solve or a
/// kernel to tune. Failed trials count as bad.
/// </summary>
public sealed class TpeSweepTuner : ISweepTuner
{
    private readonly int _startupTrials;
    private readonly int _candidates;
    private readonly double _goodFraction;
    private ShiraSearchSpace _space = new();
    private Random _random = new(0);

    /// <summary>A TPE tuner.</summary>
    /// <param name="startupTrials">Random trials before the model is used (at least 2).</param>
    /// <param name="candidates">Candidates drawn from the good density per proposal.</param>
    /// <param name="goodFraction">Fraction of finished trials that form the good group (0 to 1, exclusive).</param>
    public TpeSweepTuner(int startupTrials = 4, int candidates = 24, double goodFraction = 0.25)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(startupTrials, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(candidates, 1);
        if (goodFraction is <= 0 or >= 1)
            throw new ArgumentOutOfRangeException(nameof(goodFraction), goodFraction, "The good fraction must be between 0 and 1.");
        _startupTrials = startupTrials;
        _candidates = candidates;
        _goodFraction = goodFraction;
    }

    /// <inheritdoc/>
    public void Start(ShiraSearchSpace space, int seed)
    {
        ArgumentNullException.ThrowIfNull(space);
        _space = space;
        _random = new Random(seed);
    }

    /// <inheritdoc/>
    public SweepProposal? Propose(IReadOnlyList<SweepTrialResult> finished, IReadOnlyList<SweepTrial> running)
    {
        if (finished.Count < _startupTrials || _space.Parameters.Count == 0)
            return new SweepProposal(RandomSweepTuner.Sample(_space, _random));
        var ranked = finished
            .OrderByDescending(r => r.Objective ?? double.NegativeInfinity).ThenBy(r => r.Id)
            .ToList();
        int goodCount = Math.Max(1, (int)Math.Ceiling(_goodFraction * ranked.Count(r => r.Objective is not null)));
        var good = ranked.Take(goodCount).Select(r => r.Trial.Parameters).ToList();
        var bad = ranked.Skip(goodCount).Select(r => r.Trial.Parameters).ToList();
        var models = _space.Parameters.Select(p => (Good: Density.Fit(p, good), Bad: Density.Fit(p, bad))).ToList();

        Dictionary<string, object>? best = null;
        double bestScore = double.NegativeInfinity;
        for (int c = 0; c < _candidates; c++)
        {
            var candidate = new Dictionary<string, object>();
            double score = 0;
            for (int i = 0; i < _space.Parameters.Count; i++)
            {
                var parameter = _space.Parameters[i];
                var value = models[i].Good.Sample(_random);
                candidate[parameter.Name] = value;
                score += Math.Log(models[i].Good.Pdf(value)) - Math.Log(models[i].Bad.Pdf(value));
            }
            if (score > bestScore)
            {
                bestScore = score;
                best = candidate;
            }
        }
        return new SweepProposal(best!);
    }

    /// <summary>A one-parameter density: a Parzen mixture over a range's unit interval, or smoothed choice frequencies.</summary>
    private abstract class Density
    {
        public abstract object Sample(Random random);

        public abstract double Pdf(object value);

        public static Density Fit(SweepParameter parameter, IReadOnlyList<IReadOnlyDictionary<string, object>> trials) => parameter switch
        {
            ChoiceParameter choice => new Categorical(choice, trials.Select(t => choice.IndexOf(t[choice.Name])).Where(i => i >= 0).ToList()),
            RangeParameter range => new Parzen(u => range.FromUnit(u), v => range.ToUnit((double)v), trials.Select(t => range.ToUnit((double)t[range.Name])).ToList()),
            IntegerParameter integer => new Parzen(u => integer.FromUnit(u), v => integer.ToUnit((int)v), trials.Select(t => integer.ToUnit((int)t[integer.Name])).ToList()),
            _ => throw new NotSupportedException($"TPE cannot model {parameter.GetType().Name}."),
        };
    }

    private sealed class Categorical(ChoiceParameter choice, IReadOnlyList<int> observed) : Density
    {
        private readonly double[] _weights = Enumerable.Range(0, choice.Values.Count).Select(i => 1.0 + observed.Count(o => o == i)).ToArray();

        public override object Sample(Random random)
        {
            double u = random.NextDouble() * _weights.Sum();
            for (int i = 0; i < _weights.Length; i++)
            {
                u -= _weights[i];
                if (u < 0)
                    return choice.Values[i];
            }
            return choice.Values[^1];
        }

        public override double Pdf(object value) => _weights[choice.IndexOf(value)] / _weights.Sum();
    }

    /// <summary>Equal-weight Gaussians at the observed unit positions plus one uniform prior component.</summary>
    private sealed class Parzen(Func<double, object> fromUnit, Func<object, double> toUnit, IReadOnlyList<double> centers) : Density
    {
        // Scott's rule on the unit interval, kept between a twentieth and half of it.
        private readonly double _bandwidth = Math.Clamp(
            (centers.Count > 1 ? StandardDeviation(centers) : 0.5) * Math.Pow(Math.Max(1, centers.Count), -0.2), 0.05, 0.5);

        public override object Sample(Random random)
        {
            int component = random.Next(centers.Count + 1);
            if (component == centers.Count)
                return fromUnit(random.NextDouble());
            double u;
            do
                u = centers[component] + _bandwidth * Normal(random);
            while (u is < 0 or > 1);
            return fromUnit(u);
        }

        public override double Pdf(object value)
        {
            double u = toUnit(value);
            double sum = 1.0; // the uniform prior's density on [0, 1]
            foreach (double c in centers)
                sum += Math.Exp(-0.5 * Math.Pow((u - c) / _bandwidth, 2)) / (_bandwidth * Math.Sqrt(2 * Math.PI));
            return sum / (centers.Count + 1);
        }

        private static double StandardDeviation(IReadOnlyList<double> values)
        {
            double mean = values.Average();
            return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Count);
        }

        private static double Normal(Random random) =>
            Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
    }
}
