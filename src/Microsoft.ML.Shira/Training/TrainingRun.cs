using System.Diagnostics;
using Microsoft.ML.Shira.BaseModels;
using Microsoft.ML.Shira.Checkpoints.HuggingFace;
using Microsoft.ML.Shira.Runtime;

namespace Microsoft.ML.Shira.Training;

/// <summary>
/// The set-up every trainer's <c>Fit</c> starts with: a log channel on the <see cref="MLContext"/>, a clock, the
/// resolved seed, TorchSharp's thread count and the device.
/// </summary>
internal sealed class TrainingRun(MlContextLog log, int seed, Device device) : IDisposable
{
    public MlContextLog Log { get; } = log;

    public Stopwatch Clock { get; } = Stopwatch.StartNew();

    public int Seed { get; } = seed;

    public Device Device { get; } = device;

    /// <summary>Opens the log, resolves the seed and device, and applies <see cref="ShiraTrainerOptionsBase.NumberOfThreads"/>.</summary>
    public static TrainingRun Start(MLContext context, ShiraTrainerOptionsBase options, string logSource)
    {
        var log = new MlContextLog(context, logSource);
        try
        {
            int seed = SeedSource.Resolve(context, options.Seed, logSource);
            if (options.NumberOfThreads > 0)
                set_num_threads(options.NumberOfThreads);
            return new TrainingRun(log, seed, DeviceSelector.Resolve(options.Device, context, log));
        }
        catch
        {
            log.Dispose();
            throw;
        }
    }

    /// <summary>
    /// How to load the base model for <paramref name="options"/>: in <see cref="ShiraTrainerOptionsBase.BaseModelPrecision"/>
    /// and straight onto the run's device, so a large model never exists twice. Logs the choice when it is not Float32.
    /// </summary>
    public HuggingFaceLoadOptions BaseModelLoadOptions(ShiraTrainerOptionsBase options)
    {
        if (options.BaseModelPrecision != ShiraPrecision.Float32)
            Log.Info($"Base model weights in {options.BaseModelPrecision}; trained values, normalisation, softmax and the loss in Float32.");
        return new HuggingFaceLoadOptions { DType = options.BaseModelPrecision.ToScalarType(), Device = Device };
    }

    /// <summary>
    /// Trains on a freshly loaded base model. <paramref name="train"/> calls its hand-over action once the result owns
    /// the model; until then any error or cancellation disposes the model, so nothing is left half-built.
    /// </summary>
    public TResult OnBaseModel<TBase, TResult>(TBase baseModel, string adapterName, Func<TBase, Action, TResult> train)
        where TBase : IDisposable
    {
        bool handedOver = false;
        try
        {
            var result = train(baseModel, () => handedOver = true);
            Log.Info($"Trained adapter '{adapterName}' in {Clock.Elapsed.TotalSeconds:F1} s.");
            return result;
        }
        finally
        {
            if (!handedOver)
                baseModel.Dispose();
        }
    }

    public void Dispose() => Log.Dispose();
}
