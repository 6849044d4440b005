using System.Collections;
using System.Reflection;

namespace Microsoft.ML.Shira.Adapters.Layers;

/// <summary>
/// Frees the tensors a custom autograd function saved with <c>save_for_backward</c> once its backward has used them.
/// PyTorch's built-in nodes do this after their backward (<c>release_variables</c>), but a TorchSharp 0.107
/// <see cref="autograd.AutogradContext"/> keeps its saved variables until the whole graph is destroyed, i.e. the end
/// of the training step. For <see cref="ShiraSparseLinearFunction"/> that kept every adapted layer's input alive for
/// the rest of the backward pass (129 MiB for MiniLM at 32 × 64 tokens) and put a 12 MiB input above the training peak.
/// TorchSharp exposes no way to do it, so this disposes the context's private saved-variable list by reflection; if a
/// TorchSharp update renames it, <see cref="Release"/> returns false and the tensors simply live as long as before.
/// </summary>
internal static class SavedTensorRelease
{
    private static readonly FieldInfo? SavedVariables =
        typeof(autograd.AutogradContext).GetField("_savedVariables", BindingFlags.Instance | BindingFlags.NonPublic);

    /// <summary>Whether this TorchSharp version lets <see cref="Release"/> free the saved tensors.</summary>
    public static bool Supported => SavedVariables is not null && typeof(IList).IsAssignableFrom(SavedVariables.FieldType);

    /// <summary>Disposes every saved variable of <paramref name="context"/>; true when it could.</summary>
    public static bool Release(autograd.AutogradContext context)
    {
        if (!Supported || SavedVariables!.GetValue(context) is not IList saved)
            return false;
        foreach (var variable in saved)
            (variable as IDisposable)?.Dispose();
        return true;
    }
}
