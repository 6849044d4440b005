using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Tests.Adapters;

/// <summary>Bit-for-bit comparison of tensors (same type, shape and bytes; NaN payloads and signed zeros included).</summary>
internal static class TensorBits
{
    /// <summary>True when both tensors have the same type, shape and bytes.</summary>
    public static bool Same(Tensor a, Tensor b)
    {
        if (a.dtype != b.dtype || !a.shape.SequenceEqual(b.shape))
            return false;
        using var left = a.detach().cpu().contiguous();
        using var right = b.detach().cpu().contiguous();
        return left.bytes.SequenceEqual(right.bytes);
    }
}
