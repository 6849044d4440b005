namespace Microsoft.ML.Shira.Tests;

/// <summary>Locations of repository files the tests read.</summary>
internal static class TestPaths
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string Stories260K => Path.Combine(RepositoryRoot, "src", "Microsoft.ML.Shira", "Resources", "stories260K");

    public static string Data => Path.Combine(RepositoryRoot, "data");

    public static string NewTempDirectory()
    {
        string dir = Path.Combine(Path.GetTempPath(), "shira-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Microsoft.ML.Shira.sln")))
            dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Cannot find the repository root (Microsoft.ML.Shira.sln) above " + AppContext.BaseDirectory);
    }
}
