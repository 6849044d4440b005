using Microsoft.ML.Shira.Adapters.Layers;
using Microsoft.ML.Shira.Masks;

namespace Microsoft.ML.Shira.Adapters.Injection;

/// <summary>Where and how large a SHiRA adapter is.</summary>
public sealed class ShiraInjectionOptions
{
    /// <summary>Module names to adapt (PEFT <c>target_modules</c> semantics: exact path or path suffix after a dot).</summary>
    public IList<string> TargetModules = new List<string>();

    /// <summary>Optional regular expression that must match a whole module path.</summary>
    public string? TargetModulesPattern;

    /// <summary>Module names never adapted even when they match.</summary>
    public IList<string> ExcludeModules = new List<string>();

    /// <summary>Trainable entries per matrix; default 1%.</summary>
    public ShiraBudget Budget = ShiraBudget.Default;

    /// <summary>α applied to the sparse update (PEFT: 1.0).</summary>
    public double Scaling = 1.0;

    /// <summary>How the wrapped layers compute the value gradient (default: only at the k positions).</summary>
    public ShiraGradientPath GradientPath = ShiraGradientPath.Sparse;

    /// <summary>
    /// Sets <see cref="ShiraLinear.FreeInputAfterBackward"/> on every wrapped layer: less training memory, but each graph
    /// can be backpropagated only once. Default false.
    /// </summary>
    public bool FreeInputAfterBackward;

    internal TargetModuleMatcher CreateMatcher() => new(TargetModules, TargetModulesPattern, ExcludeModules);
}
