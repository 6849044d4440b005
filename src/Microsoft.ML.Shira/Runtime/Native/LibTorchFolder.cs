using System.Runtime.InteropServices;

namespace Microsoft.ML.Shira.Runtime.Native;

/// <summary>
/// Loads libtorch from a folder before TorchSharp initialises. TorchSharp finds its native backend by name
/// (<c>torch_cpu</c>, <c>torch_cuda</c>, <c>LibTorchSharp</c>); once the folder's libraries are loaded, those names and
/// libLibTorchSharp's own dependencies resolve to them (the loader matches already-loaded libraries by their soname).
/// </summary>
internal static class LibTorchFolder
{
    /// <summary>Loaded in this order, each one's dependencies before it; the optional ones only when present.</summary>
    private static readonly (string File, bool Required)[] Libraries =
    [
        ("libc10.so", true),
        ("libc10_cuda.so", false),
        ("libtorch_cpu.so", true),
        ("libtorch_cuda.so", false),
        ("libtorch.so", true),
    ];

    private static readonly Lock Gate = new();

    /// <summary>The folder loaded in this process, or null.</summary>
    public static string? LoadedDirectory { get; private set; }

    public static void Load(string directory)
    {
        if (string.IsNullOrWhiteSpace(directory))
            throw new ArgumentException("The libtorch folder is empty; pass the folder that holds libtorch_cpu.so.", nameof(directory));
        if (!OperatingSystem.IsLinux())
            throw new PlatformNotSupportedException($"Loading libtorch from a folder ('{directory}') is supported on Linux only; elsewhere reference a TorchSharp backend package.");
        string full = Path.GetFullPath(directory).TrimEnd('/');
        if (!Directory.Exists(full))
            throw new DirectoryNotFoundException($"The libtorch folder '{full}' does not exist. Pass the lib folder of a PyTorch install (<site-packages>/torch/lib, printed by python3 -c 'import torch,os;print(os.path.dirname(torch.__file__)+\"/lib\")') or of a libtorch distribution.");
        foreach (var (file, required) in Libraries)
        {
            if (required && !File.Exists(Path.Combine(full, file)))
                throw new DllNotFoundException($"The libtorch folder '{full}' has no {file}; it is not a libtorch folder (a PyTorch install has one at <site-packages>/torch/lib).");
        }

        lock (Gate)
        {
            if (LoadedDirectory == full)
                return;
            string? already = LoadedLibraries.Find("libtorch_cpu.so");
            if (already is not null)
            {
                string alreadyDirectory = Path.GetDirectoryName(already)!;
                if (alreadyDirectory != full)
                    throw new InvalidOperationException($"libtorch is already loaded in this process from '{alreadyDirectory}', so it cannot be loaded from '{full}'. Call ShiraRuntime.UseLibTorchFrom (or set {ShiraRuntime.LibTorchDirectoryVariable}) before any TorchSharp call, in an app published without a TorchSharp backend package.");
                LoadedDirectory = full;
                return;
            }

            foreach (var (file, required) in Libraries)
            {
                string path = Path.Combine(full, file);
                if (!required && !File.Exists(path))
                    continue;
                try
                {
                    NativeLibrary.Load(path);
                }
                catch (DllNotFoundException ex)
                {
                    throw new DllNotFoundException($"Could not load {file} from the libtorch folder '{full}': {ex.Message}", ex);
                }
            }

            try
            {
                NativeLibrary.Load("LibTorchSharp", typeof(torch).Assembly, null);
            }
            catch (DllNotFoundException ex)
            {
                throw new DllNotFoundException($"libtorch was loaded from '{full}', but TorchSharp's libLibTorchSharp.so (it ships with the TorchSharp package, beside the app) could not be loaded against it: {ex.Message}", ex);
            }
            LoadedDirectory = full;
        }
    }
}
