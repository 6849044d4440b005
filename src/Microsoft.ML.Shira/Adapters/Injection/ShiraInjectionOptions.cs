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

    /// <summary>
    /// How the wrapped layers compute the value gradient. Default <see cref="ShiraGradientPath.Auto"/>: each layer takes
    /// the path <see cref="ShiraGradientPathRule.Choose"/> measured faster for its device, type and size (dense on a
    /// GPU, sparse on the CPU at usual sparsities); <see cref="ShiraGradientPath.Sparse"/> or
    /// <see cref="ShiraGradientPath.Dense"/> force one.
    /// </summary>
    public ShiraGradientPath GradientPath = ShiraGradientPath.Auto;

    /// <summary>
    /// Type of the trainable values; null (the default) keeps float32 master values for bfloat16/float16 weights and the
    /// weight's type otherwise (<see cref="ShiraLinear.DefaultValueDType"/>). Set it to the weight's type to train the
    /// values in bfloat16/float16 too (half the optimizer memory, but AdamW steps below the type's resolution are lost).
    /// </summary>
    public ScalarType? ValueDType;

    /// <summary>
    /// Sets <see cref="ShiraLinear.FreeInputAfterBackward"/> on every wrapped layer: less training memory, but each graph
    /// can be backpropagated only once. Default false.
    /// </summary>
    public bool FreeInputAfterBackward;

    internal TargetModuleMatcher CreateMatcher() => new(TargetModules, TargetModulesPattern, ExcludeModules);
}
