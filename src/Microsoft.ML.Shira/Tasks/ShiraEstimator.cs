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
    private protected ShiraEstimator(MLContext context, ShiraTrainerOptionsBase options)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Context = context;
    }

    /// <summary>The context whose log, seed and GPU settings training uses.</summary>
    private protected MLContext Context { get; }

    /// <summary>Fine-tunes the base model on <paramref name="input"/> and returns the transformer holding the trained adapter.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has the wrong type.</exception>
    /// <exception cref="InvalidOperationException">The data has nothing to learn from, or the loss diverged.</exception>
    /// <exception cref="OperationCanceledException">The options' cancellation token was cancelled; nothing is kept.</exception>
    public abstract TTransformer Fit(IDataView input);

    /// <summary>The input columns plus the outputs; checks the input columns.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has the wrong type.</exception>
    public abstract SchemaShape GetOutputSchema(SchemaShape inputSchema);
}
