using System.Diagnostics;
using Microsoft.ML.Shira.Tasks;
using Microsoft.ML.Shira.TextClassification;
using Microsoft.ML.Shira.TextGeneration;

namespace Microsoft.ML.Shira.Sweeps;

/// <summary>
/// A hyperparameter sweep over SHiRA fine-tuning, shaped like ML.NET AutoML's <c>AutoMLExperiment</c>: set the data,
/// search space, tuner, budget and metric, then <see cref="RunAsync"/> returns a leaderboard and the best model.
/// Get one with <c>mlContext.Shira().CreateSweep(trainData, options)</c>.
/// </summary>
/// <example>
/// <code>
/// var result = await mlContext.Shira().CreateSweep(train, new ShiraTextClassificationOptions { Sentence1ColumnName = "Text" })
///     .SetValidationData(validation)
///     .SetTuner(SweepTuners.Tpe())
///     .SetMaxTrials(8)
///     .RunAsync();
/// Console.WriteLine(result.BestTrial);
/// </code>
/// </example>
public sealed class ShiraSweepExperiment
{
    private readonly MLContext _context;
    private readonly IDataView _train;
    private readonly ShiraTrainerOptionsBase _options;
    private IDataView? _validation;
    private double _validationFraction = 0.2;
    private ShiraSearchSpace _space = ShiraSearchSpace.Default();
    private ISweepTuner _tuner = new RandomSweepTuner();
    private ISweepTrialRunner _runner = new InProcessTrialRunner();
    private int _maxTrials = 8;
    private TimeSpan? _timeBudget;
    private SweepMetric _metric;
    private int _seed;
    private int _keep = 1;
    private IProgress<SweepProgress>? _progress;

    internal ShiraSweepExperiment(MLContext context, IDataView train, ShiraTrainerOptionsBase options)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _context = context;
        _train = train;
        _options = options;
        _metric = options is ShiraTextGenerationOptions ? SweepMetric.Perplexity : SweepMetric.Accuracy;
        _seed = options.Seed ?? 0;
    }

    /// <summary>Scores trials on <paramref name="validation"/> (same columns as the training data).</summary>
    public ShiraSweepExperiment SetValidationData(IDataView validation)
    {
        _validation = validation ?? throw new ArgumentNullException(nameof(validation));
        return this;
    }

    /// <summary>Holds out <paramref name="fraction"/> of the training rows (seeded) to score trials; default 0.2.</summary>
    public ShiraSweepExperiment SetValidationFraction(double fraction)
    {
        if (fraction is <= 0 or >= 1)
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "The validation fraction must be between 0 and 1.");
        _validation = null;
        _validationFraction = fraction;
        return this;
    }

    /// <summary>What to search (default <see cref="ShiraSearchSpace.Default"/>).</summary>
    public ShiraSweepExperiment SetSearchSpace(ShiraSearchSpace space)
    {
        ArgumentNullException.ThrowIfNull(space);
        TrialOptions.Check(_options, space);
        _space = space;
        return this;
    }

    /// <summary>How to search (default <see cref="SweepTuners.Random"/>).</summary>
    public ShiraSweepExperiment SetTuner(ISweepTuner tuner)
    {
        _tuner = tuner ?? throw new ArgumentNullException(nameof(tuner));
        return this;
    }

    /// <summary>Where trials run (default <see cref="InProcessTrialRunner"/>).</summary>
    public ShiraSweepExperiment SetTrialRunner(ISweepTrialRunner runner)
    {
        _runner = runner ?? throw new ArgumentNullException(nameof(runner));
        return this;
    }

    /// <summary>The most trials to start (default 8; a promoted successive-halving configuration is a trial).</summary>
    public ShiraSweepExperiment SetMaxTrials(int maxTrials)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTrials, 1);
        _maxTrials = maxTrials;
        return this;
    }

    /// <summary>Wall-clock budget: no trial starts after it and running ones are cancelled (recorded as cancelled).</summary>
    public ShiraSweepExperiment SetTimeBudget(TimeSpan budget)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(budget, TimeSpan.Zero);
        _timeBudget = budget;
        return this;
    }

    /// <summary>The metric to optimize (default accuracy, or perplexity for generation); its direction is the metric's.</summary>
    /// <exception cref="ArgumentException">A generation metric for classification or the reverse.</exception>
    public ShiraSweepExperiment SetMetric(SweepMetric metric)
    {
        if (!Enum.IsDefined(metric))
            throw new ArgumentOutOfRangeException(nameof(metric), metric, "Unknown metric.");
        if (_options is ShiraTextGenerationOptions && metric != SweepMetric.Perplexity)
            throw new ArgumentException($"Text generation sweeps optimize perplexity; {metric} is a classification metric.", nameof(metric));
        if (_options is ShiraTextClassificationOptions && metric == SweepMetric.Perplexity)
            throw new ArgumentException("Perplexity is a text-generation metric; use Accuracy, MacroF1, LogLoss or Auc for classification.", nameof(metric));
        _metric = metric;
        return this;
    }

    /// <summary>Seeds the tuner, the validation split and every trial's training (default: the options' seed, else 0).</summary>
    public ShiraSweepExperiment SetSeed(int seed)
    {
        _seed = seed;
        return this;
    }

    /// <summary>
    /// Keeps the best <paramref name="count"/> trials' adapters (default 1): they end up on the best trial's model,
    /// named <c>trial&lt;id&gt;</c>, ready to switch between; every other trial's model is disposed as soon as it is beaten.
    /// </summary>
    public ShiraSweepExperiment KeepBestAdapters(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        _keep = count;
        return this;
    }

    /// <summary>Reports each trial as it starts and ends.</summary>
    public ShiraSweepExperiment SetProgress(IProgress<SweepProgress> progress)
    {
        _progress = progress ?? throw new ArgumentNullException(nameof(progress));
        return this;
    }

    /// <summary>
    /// The trial work of this experiment: what a remote worker runs. Build the same experiment (same data, options,
    /// space, metric and seed) on every worker and register its work there.
    /// </summary>
    public SweepTrialWork CreateTrialWork()
    {
        var (train, validation) = Split();
        return CreateWork(train, validation);
    }

    /// <summary>Runs the sweep until the trial or time budget is spent, the tuner has nothing left, or cancellation.</summary>
    /// <returns>The leaderboard and the best model; cancellation returns what finished, marked <see cref="ShiraSweepResult.Cancelled"/>.</returns>
    /// <exception cref="ArgumentException">The metric does not fit the task, or the space does not fit the tuner.</exception>
    public async Task<ShiraSweepResult> RunAsync(CancellationToken cancellationToken = default)
    {
        var work = CreateTrialWork();
        _tuner.Start(_space, _seed);
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (_timeBudget is { } limit)
            budget.CancelAfter(limit);
        var clock = Stopwatch.StartNew();
        var finished = new List<SweepTrialResult>();
        var running = new Dictionary<Task<SweepTrialRun>, SweepTrial>();
        var kept = new KeptModels(_keep);
        int started = 0;
        try
        {
            while (true)
            {
                while (!budget.IsCancellationRequested && running.Count < _runner.MaxConcurrentTrials && started < _maxTrials
                    && _tuner.Propose(finished, running.Values.ToList()) is { } proposal)
                {
                    var trial = new SweepTrial(++started, proposal.Parameters, proposal.Epochs, proposal.Promotes);
                    _progress?.Report(new SweepProgress(trial, null, started, _maxTrials, clock.Elapsed));
                    running.Add(_runner.RunAsync(trial, work, budget.Token), trial);
                }
                if (running.Count == 0)
                    break;
                var done = await Task.WhenAny(running.Keys).ConfigureAwait(false);
                var doneTrial = running[done];
                running.Remove(done);
                var run = await done.ConfigureAwait(false);
                var result = new SweepTrialResult(doneTrial, run.Outcome, _metric, run.Attempts);
                finished.Add(result);
                kept.Offer(result, run.Model ?? LoadRemote(run.Outcome));
                _progress?.Report(new SweepProgress(doneTrial, result, started, _maxTrials, clock.Elapsed));
            }
            var best = kept.CombineBest();
            return new ShiraSweepResult(finished, _metric, best, clock.Elapsed, cancellationToken.IsCancellationRequested, _space);
        }
        catch
        {
            kept.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Loads a remote trial's model. Under the training gate: building modules draws from TorchSharp's global random
    /// generator, which a trial training in this process (silos that share it, as in tests) draws its dropout from.
    /// </summary>
    private ShiraTransformer? LoadRemote(SweepTrialOutcome outcome)
    {
        if (outcome.ModelPath is not { } path)
            return null;
        using var gate = TrainingGate.Enter(CancellationToken.None);
        return new ModelFiles.ShiraModelOperationsCatalog(_context).Load(path, out _) as ShiraTransformer;
    }

    private (IDataView Train, IDataView Validation) Split()
    {
        if (_validation is not null)
            return (_train, _validation);
        var split = _context.Data.TrainTestSplit(_train, _validationFraction, seed: _seed);
        return (split.TrainSet, split.TestSet);
    }

    private SweepTrialWork CreateWork(IDataView train, IDataView validation)
    {
        TrialOptions.Check(_options, _space);
        switch (_options)
        {
            case ShiraTextClassificationOptions classification:
                ClassificationMetrics.Check(_metric, ClassificationMetrics.IsBinary(train, classification.LabelColumnName));
                return new ClassificationTrialWork(_context, train, validation, classification, _space, _metric, _seed);
            case ShiraTextGenerationOptions generation:
                return new GenerationTrialWork(_context, train, validation, generation, _space, _seed);
            default:
                throw new NotSupportedException($"Sweeps support text classification and generation options, not {_options.GetType().Name}.");
        }
    }
}
