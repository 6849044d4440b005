using System.Reflection;

namespace Microsoft.ML.Shira;

/// <summary>Facts about this build of the library.</summary>
public static class ShiraInfo
{
    /// <summary>Informational version of Microsoft.ML.Shira.</summary>
    public static string Version { get; } =
        typeof(ShiraInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(ShiraInfo).Assembly.GetName().Version?.ToString() ?? "0.0.0";
}
