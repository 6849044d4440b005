using System.Diagnostics;
using Microsoft.ML.Shira.Tasks;

namespace Microsoft.ML.Shira.Sweeps;

/// <summary>
/// What one trial does: build the trial's options, train, score on the validation data. Made by
/// <see cref="ShiraSweepExperiment.CreateTrialWork"/>; a remote worker (an Orleans silo) builds the same experiment
/// over its own copy of the data and runs trials with <see cref="RunAndSave"/>.
/// </summary>
public abstract class SweepTrialWork
{
    private protected SweepTrialWork(MLContext context, ShiraSearchSpace space, SweepMetric metric, int seed)
    {
        Context = context;
        Space = space;
        Metric = metric;
        Seed = seed;
    }

    /// <summary>The space the trials' values come from (used to read values sent as text).</summary>
    public ShiraSearchSpace Space { get; }

    /// <summary>The metric each trial reports.</summary>
    public SweepMetric Metric { get; }

    /// <summary>The training seed of every trial (trials differ in their values, not in their randomness).</summary>
    public int Seed { get; }

    private protected MLContext Context { get; }

    /// <summary>
    /// Trains and scores <paramref name="trial"/> on this thread. Never throws for a failing trial: the error is in
    /// the outcome (status <see cref="SweepTrialStatus.Failed"/>, or <see cref="SweepTrialStatus.Cancelled"/> when
    /// <paramref name="cancellationToken"/> stopped it), and whatever it built is released.
    /// </summary>
    public SweepTrialRun Run(SweepTrial trial, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(trial);
        var clock = new Stopwatch();
        long? trainable = null;
        ShiraTransformer? model = null;
        IDisposable? gate = null;
        try
        {
            // One trial trains at a time per process (see TrainingGate); its time and memory count from here.
            gate = TrainingGate.Enter(cancellationToken);
            clock.Start();
            PeakMemory.Reset();
            (model, double metric) = TrainAndScore(trial, count => trainable = count, cancellationToken);
            if (!double.IsFinite(metric))
                throw new InvalidOperationException($"The validation {Metric} is {metric}.");
            return new SweepTrialRun(Outcome(SweepTrialStatus.Succeeded, metric, null), model);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            model?.Dispose();
            return new SweepTrialRun(Outcome(SweepTrialStatus.Cancelled, null, "Cancelled."), null);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            model?.Dispose();
            return new SweepTrialRun(Outcome(SweepTrialStatus.Failed, null, $"{e.GetType().Name}: {e.Message}"), null);
        }
        finally
        {
            gate?.Dispose();
        }

        SweepTrialOutcome Outcome(SweepTrialStatus status, double? metric, string? error) => new()
        {
            Status = status,
            Metric = metric,
            Error = error,
            Duration = clock.Elapsed,
            TrainableParameters = trainable,
            PeakMemoryMb = PeakMemory.Megabytes(),
            Worker = Environment.MachineName,
        };
    }

    /// <summary>
    /// Runs <paramref name="trial"/> and, if it succeeded, saves its model as <c>trial-&lt;id&gt;.zip</c> in
    /// <paramref name="directory"/> (atomically) and disposes it: what a remote worker returns.
    /// </summary>
    /// <param name="trial">The trial.</param>
    /// <param name="directory">Where the coordinator can read the model (a shared folder when workers are other machines).</param>
    /// <param name="worker">The worker's name for the leaderboard.</param>
    /// <param name="cancellationToken">Stops the trial.</param>
    public SweepTrialOutcome RunAndSave(SweepTrial trial, string directory, string worker, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var run = Run(trial, cancellationToken);
        using var model = run.Model;
        string? path = null;
        if (model is not null)
        {
            Directory.CreateDirectory(directory);
            path = Path.Combine(directory, $"trial-{trial.Id}.zip");
            new ModelFiles.ShiraModelOperationsCatalog(Context).Save(model, InputSchema, path);
        }
        return run.Outcome with { Worker = worker, ModelPath = path };
    }

    /// <summary>The training data's schema (saved with remote trials' models).</summary>
    private protected abstract DataViewSchema InputSchema { get; }

    /// <summary>Trains the trial's model and scores it; reports the trainable count when the method is prepared.</summary>
    private protected abstract (ShiraTransformer Model, double Metric) TrainAndScore(SweepTrial trial, Action<long> trainable, CancellationToken cancellationToken);

    /// <summary>
    /// The trial's options (the base options with its values, its cancellation and the trainable-count observer),
    /// the model <paramref name="fit"/> trains with them, and its score; the model is disposed if scoring throws.
    /// </summary>
    private protected (ShiraTransformer Model, double Metric) FitAndScore<TOptions, TModel>(
        TOptions baseOptions, SweepTrial trial, Action<long> trainable, CancellationToken cancellationToken,
        Func<TOptions, TModel> fit, Func<TModel, double> score)
        where TOptions : ShiraTrainerOptionsBase
        where TModel : ShiraTransformer
    {
        var options = TrialOptions.For(baseOptions, trial, Seed);
        options.CancellationToken = cancellationToken;
        options.TrainableCountObserver = trainable;
        var model = fit(options);
        try
        {
            return (model, score(model));
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}

/// <summary>A trial's outcome and, when it ran in this process and succeeded, its model (owned by the receiver).</summary>
/// <param name="Outcome">Status, metric, duration, trainable count, memory, worker.</param>
/// <param name="Model">The trained transformer, or null.</param>
/// <param name="Attempts">How many times the runner started the trial.</param>
public sealed record SweepTrialRun(SweepTrialOutcome Outcome, ShiraTransformer? Model, int Attempts = 1);
