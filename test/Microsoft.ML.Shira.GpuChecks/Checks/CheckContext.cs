using TorchSharp;

namespace Microsoft.ML.Shira.GpuChecks.Checks;

/// <summary>Where the checks run and what they read.</summary>
/// <param name="DeviceName"><c>cuda</c>, <c>cuda:N</c> or <c>cpu</c>.</param>
/// <param name="DataDirectory">The repository's (or the bundle's) <c>data/</c> folder.</param>
public sealed record CheckContext(string DeviceName, string DataDirectory)
{
    /// <summary>The TorchSharp device.</summary>
    public torch.Device Device => torch.device(DeviceName);

    /// <summary>Whether the device is the CPU (then the cross-device checks compare the CPU with itself).</summary>
    public bool IsCpu => Device.type == DeviceType.CPU;
}

/// <summary>The outcome of one check.</summary>
public sealed record CheckResult(string Name, string Device, bool Passed, string Detail);
