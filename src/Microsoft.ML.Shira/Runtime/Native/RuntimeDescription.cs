using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace Microsoft.ML.Shira.Runtime.Native;

/// <summary>Builds <see cref="ShiraRuntimeInfo"/> for <see cref="ShiraRuntime.Describe"/>.</summary>
internal static partial class RuntimeDescription
{
    public static ShiraRuntimeInfo Create()
    {
        // Initialises TorchSharp (and loads libtorch) if nothing did yet.
        bool cudaAvailable = cuda.is_available();
        int deviceCount = cudaAvailable ? cuda.device_count() : 0;
        string? libtorchCpu = LoadedLibraries.Find("libtorch_cpu.so");
        string? libTorchSharp = LoadedLibraries.Find("libLibTorchSharp.so");
        var devices = new List<ShiraCudaDevice>();
        for (int i = 0; i < deviceCount; i++)
        {
            var device = CudaDriver.Device(i);
            devices.Add(new ShiraCudaDevice(i, device?.Name ?? "unknown", device?.TotalBytes ?? -1));
        }
        string? directory = libtorchCpu is null ? null : Path.GetDirectoryName(libtorchCpu);
        return new ShiraRuntimeInfo
        {
            ShiraVersion = ShiraInfo.Version,
            TorchSharpVersion = typeof(torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
                ?? typeof(torch).Assembly.GetName().Version?.ToString() ?? "unknown",
            TorchSharpLibTorchVersion = __version__,
            LibTorchVersion = LibTorchVersion(directory),
            LibTorchDirectory = directory,
            LibTorchSharpPath = libTorchSharp,
            LibTorchSwitchError = ShiraRuntime.EnvironmentLoadError,
            LoadedBySwitch = directory is not null && directory == LibTorchFolder.LoadedDirectory,
            CudaLibTorchLoaded = LoadedLibraries.Find("libtorch_cuda.so") is not null,
            CudaAvailable = cudaAvailable,
            CudaDeviceCount = deviceCount,
            CudaDriverVersion = cudaAvailable ? CudaDriver.DriverVersion() : null,
            CudaDevices = devices,
            NativeFix = NativeFix(libTorchSharp),
            Platform = $"{RuntimeInformation.OSDescription.Trim()}, {RuntimeInformation.ProcessArchitecture}, .NET {Environment.Version}",
        };
    }

    /// <summary>The loaded libtorch's version, read from files beside it, with where it came from.</summary>
    internal static string LibTorchVersion(string? directory)
    {
        if (directory is null)
            return "unknown (libtorch_cpu is not mapped in this process)";
        string versionPy = Path.Combine(directory, "..", "version.py");
        if (File.Exists(versionPy) && PythonVersion().Match(File.ReadAllText(versionPy)) is { Success: true } py)
            return $"{py.Groups[1].Value} (PyTorch, {Path.GetFullPath(versionPy)})";
        string buildVersion = Path.Combine(directory, "..", "build-version");
        if (File.Exists(buildVersion))
            return $"{File.ReadAllText(buildVersion).Trim()} (libtorch, {Path.GetFullPath(buildVersion)})";
        if (NuGetFolder().Match(directory.Replace('\\', '/')) is { Success: true } nuget)
            return $"{nuget.Groups[2].Value} (NuGet package {nuget.Groups[1].Value})";
        // Copied into an app's output: the app's deps.json names the package (in the folder or a few levels up).
        var folders = new[] { directory, Path.Combine(directory, ".."), Path.Combine(directory, "..", ".."), Path.Combine(directory, "..", "..", "..") };
        foreach (string deps in folders.Where(Directory.Exists).SelectMany(f => Directory.EnumerateFiles(f, "*.deps.json")))
        {
            if (DepsEntry().Match(File.ReadAllText(deps)) is { Success: true } entry)
                return $"{entry.Groups[2].Value} (NuGet package {entry.Groups[1].Value}, from {Path.GetFileName(deps)})";
        }
        return "unknown (no version.py, build-version or package version beside the libraries)";
    }

    private static string NativeFix(string? libTorchSharp)
    {
        if (libTorchSharp is null || !File.Exists(libTorchSharp))
            return "unknown (libLibTorchSharp is not mapped in this process)";
        string? libstdcxx = LoadedLibraries.Find("libstdc++.so.6");
        bool systemHasIt = libstdcxx is not null && GlibcxxRequirement.Provides(libstdcxx);
        var state = GlibcxxRequirement.Inspect(libTorchSharp);
        return state switch
        {
            GlibcxxRequirement.State.Weak when !systemHasIt =>
                $"applied ({GlibcxxRequirement.Version} requirement marked weak in {libTorchSharp}; {libstdcxx ?? "libstdc++"} lacks it)",
            GlibcxxRequirement.State.Weak => $"applied, not needed ({libstdcxx} provides {GlibcxxRequirement.Version})",
            GlibcxxRequirement.State.Required => $"not applied, not needed ({libstdcxx} provides {GlibcxxRequirement.Version})",
            _ => $"not needed (libLibTorchSharp does not ask for {GlibcxxRequirement.Version})",
        };
    }

    [GeneratedRegex(@"__version__\s*=\s*['""]([^'""]+)['""]")]
    private static partial Regex PythonVersion();

    [GeneratedRegex(@"/(libtorch-[^/]+)/(\d[^/]*)/runtimes/")]
    private static partial Regex NuGetFolder();

    [GeneratedRegex(@"""(libtorch-[A-Za-z0-9.\-]+?)/(\d+\.\d+[^""]*)""")]
    private static partial Regex DepsEntry();
}
