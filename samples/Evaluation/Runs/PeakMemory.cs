namespace Microsoft.ML.Shira.Evaluation.Runs;

/// <summary>
/// Peak resident memory of one run, from Linux's <c>/proc/self/status</c>: before the run, garbage is collected
/// (aggressively, so the GC decommits), freed native memory is returned with <c>malloc_trim</c>, and the peak (VmHWM) is reset to
/// the current resident size by writing 5 to <c>/proc/self/clear_refs</c>; after it, VmHWM − the resident size at the
/// start is the run's peak extra memory (managed heap, TorchSharp tensors, native allocations). Where the reset is
/// not allowed, the delta is measured against the process's lifetime peak and is only an upper bound of growth.
/// </summary>
internal static class PeakMemory
{
    /// <summary>Resets the peak and returns the resident bytes now (and whether the reset worked).</summary>
    public static (long ResidentBytes, bool ResetWorked) Start()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        NativeMemory.Trim();
        bool reset;
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            reset = true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            reset = false;
        }
        return (Read("VmRSS"), reset);
    }

    /// <summary>The peak resident bytes since the last reset.</summary>
    public static long Peak() => Read("VmHWM");

    private static long Read(string field)
    {
        if (!File.Exists("/proc/self/status"))
            return 0;
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                var parts = line[(field.Length + 1)..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return long.Parse(parts[0]) * 1024;
            }
        }
        return 0;
    }
}
