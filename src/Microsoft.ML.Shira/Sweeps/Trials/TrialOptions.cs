using Microsoft.ML.Shira.Masks;
using Microsoft.ML.Shira.TextClassification;
using Microsoft.ML.Shira.TextGeneration;
using Microsoft.ML.Shira.Training;

namespace Microsoft.ML.Shira.Sweeps;

/// <summary>Builds a trial's trainer options: a copy of the experiment's base options with the trial's values set.</summary>
internal static class TrialOptions
{
    public static TOptions For<TOptions>(TOptions baseOptions, SweepTrial trial, int seed)
        where TOptions : ShiraTrainerOptionsBase
    {
        var options = (TOptions)baseOptions.CopyForTrial();
        double? multiplier = null;
        foreach (var (name, value) in trial.Parameters)
        {
            switch (name)
            {
                case SweepParameterNames.Method: options.Method = Enum.Parse<FineTuningMethod>((string)value); break;
                case SweepParameterNames.MaskType: options.MaskType = Enum.Parse<MaskType>((string)value); break;
                case SweepParameterNames.Sparsity: options.Sparsity = Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture); break;
                case SweepParameterNames.Rank: options.Rank = (int)value; break;
                case SweepParameterNames.TargetModules: options.TargetModules = ((string)value).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList(); break;
                case SweepParameterNames.LearningRate: options.LearningRate = (double)value; break;
                case SweepParameterNames.LearningRateMultiplier: multiplier = (double)value; break;
                case SweepParameterNames.Epochs: options.Epochs = (int)value; break;
                case SweepParameterNames.BatchSize: options.BatchSize = (int)value; break;
                case SweepParameterNames.WarmupProportion: options.WarmupProportion = (double)value; break;
                case SweepParameterNames.WeightDecay: options.WeightDecay = (double)value; break;
                case SweepParameterNames.HeadLearningRate:
                    Classification(options, name).HeadLearningRate = (double)value;
                    break;
                case SweepParameterNames.MaxSequenceLength:
                    if (options is ShiraTextGenerationOptions generation)
                        generation.MaxSequenceLength = (int)value;
                    else
                        Classification(options, name).MaxSequenceLength = (int)value;
                    break;
                default: throw new ArgumentException($"'{name}' is not a sweepable setting.", nameof(trial));
            }
        }
        if (multiplier is double m)
            options.LearningRate = m * options.DefaultLearningRate(options.Method, options.MaskType);
        if (trial.Epochs is int epochs)
            options.Epochs = epochs;
        options.Seed = seed;
        options.AdapterName = $"trial{trial.Id}";
        return options;
    }

    /// <summary>Checks that every parameter of <paramref name="space"/> applies to <paramref name="options"/>.</summary>
    public static void Check(ShiraTrainerOptionsBase options, ShiraSearchSpace space)
    {
        if (options is not ShiraTextClassificationOptions && space.Find(SweepParameterNames.HeadLearningRate) is not null)
            throw new ArgumentException($"'{SweepParameterNames.HeadLearningRate}' applies to text classification only.", nameof(space));
    }

    private static ShiraTextClassificationOptions Classification(ShiraTrainerOptionsBase options, string name) =>
        options as ShiraTextClassificationOptions
        ?? throw new ArgumentException($"'{name}' is not a setting of {options.GetType().Name}.");
}
