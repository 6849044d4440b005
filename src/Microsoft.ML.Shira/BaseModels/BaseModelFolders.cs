namespace Microsoft.ML.Shira.BaseModels;

/// <summary>Checks shared by the base models' <c>FromFolder</c>.</summary>
internal static class BaseModelFolders
{
    /// <summary>The full path of <paramref name="directory"/>, which must exist.</summary>
    /// <exception cref="ArgumentException">The folder does not exist.</exception>
    public static string RequireExisting(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        string full = Path.GetFullPath(directory);
        if (!Directory.Exists(full))
            throw new ArgumentException($"The model folder '{full}' does not exist.", nameof(directory));
        return full;
    }
}
