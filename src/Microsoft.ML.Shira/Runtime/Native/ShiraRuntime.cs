using System.Runtime.CompilerServices;
using Microsoft.ML.Shira.Runtime.Native;

namespace Microsoft.ML.Shira;

/// <summary>
/// Where TorchSharp's native libtorch comes from, and what this process runs on. By default TorchSharp loads libtorch
/// from the app's own backend package (<c>libtorch-cpu-linux-x64</c> or <c>TorchSharp-cuda-linux</c>).
/// <see cref="UseLibTorchFrom"/> (or the environment variable <see cref="LibTorchDirectoryVariable"/>) loads it instead
/// from a folder, such as the <c>lib</c> folder of an installed PyTorch, so an app published without a backend package
/// runs on that PyTorch's CPU or CUDA libtorch.
/// </summary>
public static class ShiraRuntime
{
    /// <summary>
    /// Environment variable naming a libtorch folder (e.g. <c>&lt;site-packages&gt;/torch/lib</c>). When set, the folder is
    /// loaded as by <see cref="UseLibTorchFrom"/> when Microsoft.ML.Shira is first used (its module initializer). A failure
    /// there is not thrown (it would surface wrapped, from wherever the library happened to be first touched): it is shown
    /// by <see cref="Describe"/>, and <see cref="UseLibTorchFromEnvironment"/> throws it. Apps call
    /// <see cref="UseLibTorchFromEnvironment"/> first thing to get the error where they can report it.
    /// </summary>
    public const string LibTorchDirectoryVariable = "SHIRA_LIBTORCH_DIR";

    /// <summary>
    /// Loads libtorch from <paramref name="directory"/> (libc10, libtorch_cpu, libtorch, and libc10_cuda and libtorch_cuda
    /// when present) and then TorchSharp's own <c>libLibTorchSharp</c> from the app, so that TorchSharp binds to them when
    /// it initialises. Call it before any TorchSharp call; calling it again with the same folder does nothing.
    /// </summary>
    /// <param name="directory">The folder holding <c>libtorch_cpu.so</c> and its companions.</param>
    /// <exception cref="ArgumentException"><paramref name="directory"/> is empty.</exception>
    /// <exception cref="PlatformNotSupportedException">Not Linux (the loader knows the Linux file names only).</exception>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="DllNotFoundException">A required library is missing from the folder or fails to load; the message names both.</exception>
    /// <exception cref="InvalidOperationException">TorchSharp already loaded libtorch from another folder in this process.</exception>
    public static void UseLibTorchFrom(string directory) => LibTorchFolder.Load(directory);

    /// <summary>
    /// Loads libtorch from the folder named by <see cref="LibTorchDirectoryVariable"/> when it is set and not empty.
    /// </summary>
    /// <returns>Whether the variable was set (and its folder loaded).</returns>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="DllNotFoundException">A required library is missing or fails to load.</exception>
    /// <exception cref="InvalidOperationException">TorchSharp already loaded libtorch from another folder.</exception>
    public static bool UseLibTorchFromEnvironment()
    {
        string? directory = Environment.GetEnvironmentVariable(LibTorchDirectoryVariable);
        if (string.IsNullOrWhiteSpace(directory))
            return false;
        LibTorchFolder.Load(directory);
        return true;
    }

    /// <summary>Why loading the folder of <see cref="LibTorchDirectoryVariable"/> failed when the library was first used, or null.</summary>
    public static string? EnvironmentLoadError => s_environmentFailure?.Message;

    private static Exception? s_environmentFailure;

    /// <summary>The folder that <see cref="UseLibTorchFrom"/> loaded in this process, or null when it was not called.</summary>
    public static string? LibTorchDirectory => LibTorchFolder.LoadedDirectory;

    /// <summary>
    /// Describes the native runtime of this process: TorchSharp and libtorch versions, where libtorch was loaded from,
    /// CUDA availability and devices, and whether the Debian 12 native fix is in effect. Initialises TorchSharp.
    /// </summary>
    public static ShiraRuntimeInfo Describe() => RuntimeDescription.Create();

#pragma warning disable CA2255 // A module initializer in a library: it honours SHIRA_LIBTORCH_DIR before TorchSharp initialises.
    [ModuleInitializer]
    internal static void LoadFromEnvironmentOnFirstUse()
    {
        try
        {
            UseLibTorchFromEnvironment();
        }
        catch (Exception ex) when (ex is DllNotFoundException or DirectoryNotFoundException or InvalidOperationException or PlatformNotSupportedException or ArgumentException)
        {
            s_environmentFailure = ex;
        }
    }
#pragma warning restore CA2255
}
