using Microsoft.ML.Shira.Adapters.Injection;
using Microsoft.ML.Shira.Masks;
using TorchSharp.Modules;

namespace Microsoft.ML.Shira.Training.Masks;

/// <summary>The weights a calibrated (Gradient/SNIP) mask scores: every targeted <see cref="Linear"/> of a model.</summary>
internal static class CalibrationTargets
{
    /// <summary>Module path and weight of every <see cref="Linear"/> that <paramref name="matcher"/> selects.</summary>
    /// <exception cref="ArgumentException">No Linear layer matches; the message lists some paths of <paramref name="modelId"/>.</exception>
    public static List<(string ModulePath, Parameter Weight)> Find(nn.Module model, TargetModuleMatcher matcher, string modelId, string option)
    {
        var targets = model.named_modules()
            .Where(m => m.module is Linear && matcher.IsMatch(m.name))
            .Select(m => (m.name, ((Linear)m.module).weight!))
            .ToList();
        if (targets.Count == 0)
            throw new ArgumentException(
                $"No Linear layer of {modelId} matches the target modules [{string.Join(", ", matcher.Describe())}]. " +
                $"Some module paths: {string.Join(", ", model.named_modules().Where(m => m.module is Linear).Select(m => m.name).Take(6))}.",
                option);
        return targets;
    }
}
