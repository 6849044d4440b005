using System.Diagnostics;
using System.Globalization;

namespace Microsoft.ML.Shira.Sweeps;

/// <summary>
/// The process's peak resident set size since the last <see cref="Reset"/>. On Linux the kernel keeps it (VmHWM) and
/// resets it on request (<c>/proc/self/clear_refs</c>), so no sampling thread is needed; elsewhere it is the peak
/// since the process started.
/// </summary>
internal static class PeakMemory
{
    public static void Reset()
    {
        if (!OperatingSystem.IsLinux())
            return;
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not permitted (some sandboxes): the figure is then the process's peak.
        }
    }

    public static double Megabytes()
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                foreach (string line in File.ReadLines("/proc/self/status"))
                {
                    if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                        return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
            {
            }
        }
        using var process = Process.GetCurrentProcess();
        return process.PeakWorkingSet64 / (1024.0 * 1024.0);
    }
}
