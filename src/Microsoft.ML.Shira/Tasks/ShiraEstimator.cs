namespace Microsoft.ML.Shira;

/// <summary>
/// What every SHiRA estimator is: it checks its options when created (so a bad option fails when the pipeline is
/// built, not after hours of data loading), fine-tunes a pretrained model on <see cref="Fit"/>, and describes its
/// outputs for ML.NET's schema propagation. The task classes add their columns.
/// </summary>
/// <typeparam name="TTransformer">The transformer <see cref="Fit"/> returns.</typeparam>
public abstract class ShiraEstimator<TTransformer> : IEstimator<TTransformer>
    where TTransformer : ShiraTransformer
{
    private readonly ShiraTrainerOptionsBase _options;

    private protected ShiraEstimator(MLContext context, ShiraTrainerOptionsBase options)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Context = context;
        _options = options;
    }

    /// <summary>The context whose log, seed and GPU settings training uses.</summary>
    private protected MLContext Context { get; }

    /// <summary>
    /// Fine-tunes the base model on <paramref name="input"/> with the options' method (for SHiRA: chooses the trainable
    /// entries, calibrating Gradient/SNIP masks, and trains them with AdamW), validating and stopping early when a
    /// validation set is given, and returns the transformer holding the trained adapter. Nothing is kept when it fails.
    /// </summary>
    /// <exception cref="ArgumentException">An option was changed to a bad value after the estimator was created.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has the wrong type.</exception>
    /// <exception cref="InvalidOperationException">The data has nothing to learn from, or the loss diverged.</exception>
    /// <exception cref="OperationCanceledException">The options' cancellation token was cancelled; nothing is kept.</exception>
    public TTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        _options.Validate();
        _options.CancellationToken.ThrowIfCancellationRequested();
        return Train(input);
    }

    /// <summary>Trains on checked options.</summary>
    private protected abstract TTransformer Train(IDataView input);

    /// <summary>The input columns plus the outputs; checks the input columns.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has the wrong type.</exception>
    public abstract SchemaShape GetOutputSchema(SchemaShape inputSchema);
}
