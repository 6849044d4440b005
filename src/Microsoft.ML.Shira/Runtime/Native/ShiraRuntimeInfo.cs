using System.Globalization;
using System.Text;

namespace Microsoft.ML.Shira;

/// <summary>What <see cref="ShiraRuntime.Describe"/> found about the native runtime of this process.</summary>
public sealed record ShiraRuntimeInfo
{
    /// <summary>Version of Microsoft.ML.Shira.</summary>
    public required string ShiraVersion { get; init; }

    /// <summary>Version of the TorchSharp assembly (e.g. <c>0.107.0</c>).</summary>
    public required string TorchSharpVersion { get; init; }

    /// <summary>The libtorch version TorchSharp was built against (TorchSharp's <c>torch.__version__</c>).</summary>
    public required string TorchSharpLibTorchVersion { get; init; }

    /// <summary>
    /// The version of the libtorch actually loaded, read beside its files (PyTorch's <c>version.py</c>, libtorch's
    /// <c>build-version</c>, or the NuGet package folder's version), or <c>unknown</c>.
    /// </summary>
    public required string LibTorchVersion { get; init; }

    /// <summary>The folder <c>libtorch_cpu</c> was loaded from (from the process's memory map), or null when unknown.</summary>
    public string? LibTorchDirectory { get; init; }

    /// <summary>The loaded <c>libLibTorchSharp</c> file, or null when unknown.</summary>
    public string? LibTorchSharpPath { get; init; }

    /// <summary>Whether <see cref="ShiraRuntime.UseLibTorchFrom"/> or <see cref="ShiraRuntime.LibTorchDirectoryVariable"/> chose the folder.</summary>
    public bool LoadedBySwitch { get; init; }

    /// <summary>Why the folder of <see cref="ShiraRuntime.LibTorchDirectoryVariable"/> failed to load, or null.</summary>
    public string? LibTorchSwitchError { get; init; }

    /// <summary>Whether a CUDA libtorch (<c>libtorch_cuda</c>) is loaded in the process.</summary>
    public bool CudaLibTorchLoaded { get; init; }

    /// <summary>TorchSharp's <c>torch.cuda.is_available()</c>.</summary>
    public bool CudaAvailable { get; init; }

    /// <summary>TorchSharp's <c>torch.cuda.device_count()</c> (0 without CUDA).</summary>
    public int CudaDeviceCount { get; init; }

    /// <summary>The CUDA driver version (e.g. <c>13.0</c>), or null without a driver.</summary>
    public string? CudaDriverVersion { get; init; }

    /// <summary>Each CUDA device, named and sized by the CUDA driver (empty without CUDA).</summary>
    public IReadOnlyList<ShiraCudaDevice> CudaDevices { get; init; } = Array.Empty<ShiraCudaDevice>();

    /// <summary>
    /// The Debian 12 native fix (<c>GLIBCXX_3.4.32</c> requirement of <c>libLibTorchSharp</c> marked weak):
    /// <c>applied</c>, <c>not needed</c> (the system libstdc++ has that version), <c>not applied</c>, or <c>unknown</c>, with why.
    /// </summary>
    public required string NativeFix { get; init; }

    /// <summary>Operating system and process architecture.</summary>
    public required string Platform { get; init; }

    /// <summary>One <c>name: value</c> line per fact.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        void Line(string name, object? value) => text.Append(CultureInfo.InvariantCulture, $"{name,-22}{value ?? "unknown"}\n");
        Line("Microsoft.ML.Shira", ShiraVersion);
        Line("TorchSharp", $"{TorchSharpVersion} (built for libtorch {TorchSharpLibTorchVersion})");
        Line("libtorch", LibTorchVersion);
        Line("libtorch folder", LibTorchDirectory is null ? null : $"{LibTorchDirectory}{(LoadedBySwitch ? " (chosen by ShiraRuntime/SHIRA_LIBTORCH_DIR)" : " (TorchSharp's own probing)")}");
        if (LibTorchSwitchError is not null)
            Line("SHIRA_LIBTORCH_DIR", "FAILED: " + LibTorchSwitchError);
        Line("libLibTorchSharp", LibTorchSharpPath);
        Line("native fix", NativeFix);
        Line("CUDA libtorch", CudaLibTorchLoaded ? "loaded" : "not loaded");
        Line("CUDA available", CudaAvailable ? "yes" : "no");
        Line("CUDA devices", CudaDeviceCount);
        if (CudaDriverVersion is not null)
            Line("CUDA driver", CudaDriverVersion);
        foreach (var device in CudaDevices)
            Line($"  cuda:{device.Index}", device);
        Line("platform", Platform);
        return text.ToString();
    }
}

/// <summary>One CUDA device as the CUDA driver describes it.</summary>
/// <param name="Index">The device index (<c>cuda:N</c>).</param>
/// <param name="Name">The device name, or <c>unknown</c>.</param>
/// <param name="TotalMemoryBytes">Total device memory in bytes, or -1 when unknown.</param>
public sealed record ShiraCudaDevice(int Index, string Name, long TotalMemoryBytes)
{
    /// <summary>Name and memory in GiB.</summary>
    public override string ToString() => TotalMemoryBytes < 0
        ? $"{Name} (memory unknown)"
        : string.Create(CultureInfo.InvariantCulture, $"{Name}, {TotalMemoryBytes / (1024.0 * 1024 * 1024):F1} GiB");
}
