namespace Microsoft.ML.Shira.GpuChecks;

/// <summary>
/// Applies --libtorch or SHIRA_LIBTORCH_DIR (the library's module initializer already tried the variable; calling
/// UseLibTorchFromEnvironment throws its failure here, where the app reports it).
/// </summary>
internal static class LibTorchSwitch
{
    public static void Apply(string? folder)
    {
        if (folder is not null)
            ShiraRuntime.UseLibTorchFrom(folder);
        else
            ShiraRuntime.UseLibTorchFromEnvironment();
    }
}
