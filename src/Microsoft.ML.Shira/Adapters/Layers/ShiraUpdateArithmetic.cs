using Microsoft.ML.Shira.Runtime;

namespace Microsoft.ML.Shira.Adapters.Layers;

/// <summary>
/// The one formula for <c>W + α·scatter(v)</c> that training, merging and switching share, so that a trained model, its
/// merged weights and its switched-in adapter are the same numbers. When the values have the weight's type it is
/// <c>index_add(W, α·v)</c> as before. When they are wider (float32 master values of a bfloat16/float16 weight), every
/// adapted entry is computed once in the values' type and rounded once to the weight's type:
/// <c>W[i] ← cast(cast_up(W[i]) + fl(α·v_i))</c>, the same arithmetic <see cref="Switching.FusedAdapterSwitcher"/> uses
/// for an adapter's (float32) values.
/// </summary>
internal static class ShiraUpdateArithmetic
{
    /// <summary>True when the values are kept in another (wider) type than the weight.</summary>
    public static bool IsMixed(Tensor weight, Tensor values) => weight.dtype != values.dtype;

    /// <summary><c>W + α·scatter(v)</c> as a new tensor of W's shape and type; differentiable in <paramref name="values"/>.</summary>
    public static Tensor Add(Tensor weight, Tensor flatIndices, Tensor values, double scaling)
    {
        if (!IsMixed(weight, values))
            return TorchScalars.With(scaling, alpha => weight.flatten().index_add(0, flatIndices, values, alpha)).view(weight.shape);
        using var scope = NewDisposeScope();
        var flat = weight.flatten();
        var entries = AdaptedEntries(flat, flatIndices, values, scaling);
        return flat.index_copy(0, flatIndices, entries).view(weight.shape).MoveToOuterDisposeScope();
    }

    /// <summary>Adds <c>α·scatter(v)</c> to the 1-D <paramref name="flat"/> in place (no gradient).</summary>
    public static void AddInPlace(Tensor flat, Tensor flatIndices, Tensor values, double scaling)
    {
        if (flat.dtype == values.dtype)
        {
            TorchScalars.With(scaling, alpha => flat.index_add_(0, flatIndices, values, alpha));
            return;
        }
        using var scope = NewDisposeScope();
        flat.index_copy_(0, flatIndices, AdaptedEntries(flat, flatIndices, values, scaling));
    }

    /// <summary>The adapted entries <c>cast(cast_up(W[i]) + fl(α·v_i))</c> in W's type.</summary>
    private static Tensor AdaptedEntries(Tensor flat, Tensor flatIndices, Tensor values, double scaling) =>
        flat.index_select(0, flatIndices).to(values.dtype).Plus(values.Times(scaling)).to(flat.dtype);
}
