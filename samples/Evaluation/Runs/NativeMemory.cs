using System.Runtime.InteropServices;

namespace Microsoft.ML.Shira.Evaluation.Runs;

/// <summary>glibc's <c>malloc_trim</c>: returns freed native memory (e.g. of disposed tensors) to the system.</summary>
internal static partial class NativeMemory
{
    public static void Trim()
    {
        if (!OperatingSystem.IsLinux())
            return;
        try
        {
            _ = malloc_trim(0);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc: the resident size may then include freed memory, which only lowers the measured deltas.
        }
    }

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int malloc_trim(nuint pad);
}
