using System.Globalization;

namespace Microsoft.ML.Shira.Runtime;

/// <summary>Chooses the TorchSharp device from an explicit request and <see cref="MLContext.GpuDeviceId"/>/<see cref="MLContext.FallbackToCpu"/>.</summary>
internal static class DeviceSelector
{
    /// <summary>
    /// <c>"cpu"</c> → CPU. <c>"cuda"</c> → GPU <see cref="MLContext.GpuDeviceId"/> (0 when unset); <c>"cuda:N"</c> → GPU N.
    /// Null → GPU <see cref="MLContext.GpuDeviceId"/> when the context sets one, else CPU. When the GPU cannot be used,
    /// falls back to the CPU (with a warning) if <see cref="MLContext.FallbackToCpu"/>, else throws.
    /// </summary>
    /// <exception cref="ArgumentException">An unknown device name.</exception>
    /// <exception cref="InvalidOperationException">The GPU is unavailable and the context does not allow falling back.</exception>
    public static Device Resolve(string? requested, MLContext context, MlContextLog log)
    {
        string wanted = string.IsNullOrWhiteSpace(requested)
            ? (context.GpuDeviceId is null ? "cpu" : "cuda")
            : requested.Trim().ToLowerInvariant();
        if (wanted == "cpu")
            return CPU;
        if (wanted != "cuda" && !wanted.StartsWith("cuda:", StringComparison.Ordinal))
            throw new ArgumentException($"Device '{requested}' is not supported; use \"cpu\", \"cuda\" or \"cuda:N\".", nameof(requested));

        int index = context.GpuDeviceId ?? 0;
        if (wanted.Length > 5 && !int.TryParse(wanted.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out index))
            throw new ArgumentException($"Device '{requested}' has no valid GPU index; use \"cuda:0\", \"cuda:1\", ….", nameof(requested));

        bool available = cuda.is_available() && index < cuda.device_count();
        if (available)
            return new Device(DeviceType.CUDA, index);
        string reason = cuda.is_available()
            ? $"GPU {index} does not exist ({cuda.device_count()} CUDA device(s) found)"
            : "CUDA is not available (reference a TorchSharp CUDA runtime package and check the driver)";
        if (context.FallbackToCpu)
        {
            log.Warning($"{reason}; falling back to the CPU because MLContext.FallbackToCpu is true.");
            return CPU;
        }
        throw new InvalidOperationException($"{reason}. Set MLContext.FallbackToCpu = true to train on the CPU instead, or set Device = \"cpu\".");
    }
}
