using System.Security.Cryptography;
using System.Text;

namespace Microsoft.ML.Shira.Training.Checkpoints;

/// <summary>
/// What makes a training checkpoint belong to a run: the task, base model and its precision, method, mask, budget, targets, seed, batch
/// size, epochs, the number of training rows and batches, and the shapes of the trained tensors. Learning rates and the
/// schedule are left out on purpose: after a divergence a run may resume from its last good checkpoint with a lower rate.
/// </summary>
internal static class RunSignature
{
    /// <summary>A SHA-256 (hex, 16 characters) of the run's identity.</summary>
    public static string Of<TBatch>(
        ShiraTrainerOptionsBase options, string baseModelId, TrainingTask<TBatch> task, int seed, IEpochBatches<TBatch> train, IReadOnlyList<ParameterGroup> groups)
    {
        var text = new StringBuilder()
            .Append(task.PeftTaskType).Append('|').Append(baseModelId).Append('|').Append(options.Method).Append('|').Append(options.MaskType)
            .Append('|').Append(options.Budget()).Append('|').Append(string.Join(",", options.TargetModules)).Append('|').Append(options.TargetModulesPattern)
            .Append('|').Append(seed).Append('|').Append(options.BatchSize).Append('|').Append(options.Epochs)
            .Append('|').Append(train.Rows).Append('|').Append(train.Count);
        // Added only when not the default, so that checkpoints written before the option existed still resume.
        if (options.BaseModelPrecision != ShiraPrecision.Float32)
            text.Append("|precision=").Append(options.BaseModelPrecision);
        foreach (var parameter in groups.SelectMany(g => g.Parameters))
            text.Append('|').Append(string.Join("x", parameter.shape));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
    }
}
