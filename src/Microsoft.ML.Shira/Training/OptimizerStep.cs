using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Training;

/// <summary>One optimizer step of the trainers' loops.</summary>
internal static class OptimizerStep
{
    /// <summary>
    /// Zeroes the gradients, back-propagates the loss from <paramref name="computeLoss"/>, clips the global gradient norm
    /// of <paramref name="parameters"/> (0 turns clipping off) and steps. Every tensor of the step is disposed.
    /// </summary>
    /// <returns>The loss of the step.</returns>
    public static double Run(OptimizerHelper optimizer, IReadOnlyList<Parameter> parameters, double maxGradNorm, Func<Tensor> computeLoss)
    {
        using var scope = NewDisposeScope();
        optimizer.zero_grad();
        var loss = computeLoss();
        loss.backward();
        if (maxGradNorm > 0)
            nn.utils.clip_grad_norm_(parameters, maxGradNorm);
        optimizer.step();
        return loss.item<float>();
    }

    /// <summary>Time left at the pace of the steps so far.</summary>
    public static TimeSpan Remaining(TimeSpan elapsed, int step, int totalSteps) =>
        step == 0 ? TimeSpan.Zero : elapsed / step * (totalSteps - step);
}
