using System.Runtime.InteropServices;
using System.Text;

namespace Microsoft.ML.Shira.Runtime.Native;

/// <summary>
/// Device names, memory, driver version and the statistics of a device's default memory pool from the CUDA driver API
/// (<c>libcuda.so.1</c>, installed with every NVIDIA driver), which TorchSharp 0.107 does not expose. Every call answers
/// null/false when the driver is absent or fails.
/// </summary>
internal static unsafe class CudaDriver
{
    private static readonly Lazy<nint> Handle = new(() =>
        NativeLibrary.TryLoad(OperatingSystem.IsWindows() ? "nvcuda.dll" : "libcuda.so.1", out nint handle) && Init(handle) ? handle : 0);

    /// <summary>The driver's CUDA version as <c>major.minor</c>, or null.</summary>
    public static string? DriverVersion()
    {
        if (!TryGet(out var getVersion, "cuDriverGetVersion"))
            return null;
        int version = 0;
        return ((delegate* unmanaged<int*, int>)getVersion)(&version) == 0 ? $"{version / 1000}.{version % 1000 / 10}" : null;
    }

    /// <summary>Name and total memory of device <paramref name="index"/>, or null.</summary>
    public static (string Name, long TotalBytes)? Device(int index)
    {
        if (!TryGet(out var deviceGet, "cuDeviceGet") || !TryGet(out var getName, "cuDeviceGetName") || !TryGet(out var totalMem, "cuDeviceTotalMem_v2"))
            return null;
        int device = 0;
        if (((delegate* unmanaged<int*, int, int>)deviceGet)(&device, index) != 0)
            return null;
        byte* name = stackalloc byte[256];
        if (((delegate* unmanaged<byte*, int, int, int>)getName)(name, 256, device) != 0)
            return null;
        nuint bytes = 0;
        long total = ((delegate* unmanaged<nuint*, int, int>)totalMem)(&bytes, device) == 0 ? (long)bytes : -1;
        return (Marshal.PtrToStringUTF8((nint)name) ?? "unknown", total);
    }

    /// <summary>
    /// Free and total memory of the device current on this thread (the whole device: every process, the CUDA context and
    /// the caching allocator's reserve, as nvidia-smi counts it), or null without a current CUDA context.
    /// </summary>
    public static (long Free, long Total)? MemoryInfo()
    {
        if (!TryGet(out var memGetInfo, "cuMemGetInfo_v2"))
            return null;
        nuint free = 0, total = 0;
        return ((delegate* unmanaged<nuint*, nuint*, int>)memGetInfo)(&free, &total) == 0 ? ((long)free, (long)total) : null;
    }

    /// <summary>
    /// Current and peak used and reserved bytes of device <paramref name="index"/>'s default memory pool (the pool
    /// <c>cudaMallocAsync</c> allocates from unless <c>cudaDeviceSetMemPool</c> changed it; <see cref="MemoryPoolAttribute"/>),
    /// or null without the driver or the device, or when the driver refuses (it may need the CUDA context that libtorch
    /// creates). Under libtorch's <c>backend:cudaMallocAsync</c> allocator
    /// (<see cref="CudaAllocatorBackend"/>) the used figures are what PyTorch reports as <c>memory_allocated</c> /
    /// <c>max_memory_allocated</c> and the reserved ones <c>memory_reserved</c> / <c>max_memory_reserved</c>: its
    /// CUDAMallocAsyncAllocator.cpp reads exactly these four attributes of the same pool.
    /// </summary>
    public static MemoryPoolStatistics? DefaultPoolStatistics(int index)
    {
        if (!TryGet(out var getAttribute, "cuMemPoolGetAttribute") || DefaultPool(index) is not { } pool)
            return null;
        var get = (delegate* unmanaged<nint, int, void*, int>)getAttribute;
        ulong usedNow = 0, usedPeak = 0, reservedNow = 0, reservedPeak = 0;
        bool ok = get(pool, (int)MemoryPoolAttribute.UsedMemCurrent, &usedNow) == 0
            && get(pool, (int)MemoryPoolAttribute.UsedMemHigh, &usedPeak) == 0
            && get(pool, (int)MemoryPoolAttribute.ReservedMemCurrent, &reservedNow) == 0
            && get(pool, (int)MemoryPoolAttribute.ReservedMemHigh, &reservedPeak) == 0;
        return ok ? new MemoryPoolStatistics((long)usedNow, (long)usedPeak, (long)reservedNow, (long)reservedPeak) : null;
    }

    /// <summary>
    /// Resets the used and reserved peaks of device <paramref name="index"/>'s default memory pool to the current values
    /// (the driver takes zero, its only accepted value, to mean that; PyTorch's <c>reset_peak_memory_stats</c> does the
    /// same under <c>backend:cudaMallocAsync</c>). False without the driver or the device, or when the driver refuses.
    /// </summary>
    public static bool ResetDefaultPoolPeaks(int index)
    {
        if (!TryGet(out var setAttribute, "cuMemPoolSetAttribute") || DefaultPool(index) is not { } pool)
            return false;
        var set = (delegate* unmanaged<nint, int, void*, int>)setAttribute;
        ulong zero = 0;
        return set(pool, (int)MemoryPoolAttribute.UsedMemHigh, &zero) == 0
            && set(pool, (int)MemoryPoolAttribute.ReservedMemHigh, &zero) == 0;
    }

    /// <summary>The values of <c>CUmemPool_attribute</c> (cuda.h) read and reset here; all four are <c>cuuint64_t</c>.</summary>
    internal enum MemoryPoolAttribute
    {
        /// <summary><c>CU_MEMPOOL_ATTR_RESERVED_MEM_CURRENT</c>: backing memory the pool holds now.</summary>
        ReservedMemCurrent = 5,

        /// <summary><c>CU_MEMPOOL_ATTR_RESERVED_MEM_HIGH</c>: its high-water mark since the last reset.</summary>
        ReservedMemHigh = 6,

        /// <summary><c>CU_MEMPOOL_ATTR_USED_MEM_CURRENT</c>: memory of the pool's live allocations.</summary>
        UsedMemCurrent = 7,

        /// <summary><c>CU_MEMPOOL_ATTR_USED_MEM_HIGH</c>: its high-water mark since the last reset.</summary>
        UsedMemHigh = 8,
    }

    private static nint? DefaultPool(int index)
    {
        if (!TryGet(out var deviceGet, "cuDeviceGet") || !TryGet(out var getDefaultPool, "cuDeviceGetDefaultMemPool"))
            return null;
        int device = 0;
        if (((delegate* unmanaged<int*, int, int>)deviceGet)(&device, index) != 0)
            return null;
        nint pool = 0;
        return ((delegate* unmanaged<nint*, int, int>)getDefaultPool)(&pool, device) == 0 && pool != 0 ? pool : null;
    }

    private static bool Init(nint handle) =>
        NativeLibrary.TryGetExport(handle, "cuInit", out nint init) && ((delegate* unmanaged<uint, int>)init)(0) == 0;

    private static bool TryGet(out nint function, string name)
    {
        function = 0;
        return Handle.Value != 0 && NativeLibrary.TryGetExport(Handle.Value, name, out function);
    }
}

/// <summary>Bytes of a CUDA memory pool: in use by live allocations and reserved from the device, now and at peak.</summary>
internal readonly record struct MemoryPoolStatistics(long UsedBytes, long UsedPeakBytes, long ReservedBytes, long ReservedPeakBytes);
