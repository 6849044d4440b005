using System.Runtime.InteropServices;
using System.Text;

namespace Microsoft.ML.Shira.Runtime.Native;

/// <summary>
/// Device names, memory and driver version from the CUDA driver API (<c>libcuda.so.1</c>, installed with every NVIDIA
/// driver), which TorchSharp 0.107 does not expose. Every call answers null/false when the driver is absent or fails.
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

    private static bool Init(nint handle) =>
        NativeLibrary.TryGetExport(handle, "cuInit", out nint init) && ((delegate* unmanaged<uint, int>)init)(0) == 0;

    private static bool TryGet(out nint function, string name)
    {
        function = 0;
        return Handle.Value != 0 && NativeLibrary.TryGetExport(Handle.Value, name, out function);
    }
}
