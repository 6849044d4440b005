namespace Microsoft.ML.Shira.Evaluation;

/// <summary>Finds the repository (the folder with Microsoft.ML.Shira.sln) above the working directory or the app.</summary>
internal static class RepositoryRoot
{
    public static string Find()
    {
        foreach (string start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Microsoft.ML.Shira.sln")))
                    return dir.FullName;
            }
        }
        return Environment.CurrentDirectory;
    }
}
