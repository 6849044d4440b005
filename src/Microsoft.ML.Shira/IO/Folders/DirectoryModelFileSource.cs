using Microsoft.ML.Shira.Checkpoints.HuggingFace;
using Microsoft.ML.Shira.IO.Safetensors;

namespace Microsoft.ML.Shira.IO.Folders;

/// <summary>The files of a model folder on disk.</summary>
internal sealed class DirectoryModelFileSource : IModelFileSource
{
    /// <summary>Uses the files in <paramref name="directory"/>.</summary>
    /// <exception cref="ShiraFormatException">The directory does not exist.</exception>
    public DirectoryModelFileSource(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory = Path.GetFullPath(directory);
        if (!System.IO.Directory.Exists(Directory))
            throw new ShiraFormatException($"Model folder '{Directory}' does not exist.");
    }

    /// <summary>Full path of the folder.</summary>
    public string Directory { get; }

    /// <inheritdoc />
    public string Describe(string fileName) => PathOf(fileName);

    /// <inheritdoc />
    public bool Exists(string fileName) => File.Exists(PathOf(fileName));

    /// <inheritdoc />
    public byte[] ReadAllBytes(string fileName)
    {
        string path = PathOf(fileName);
        if (!File.Exists(path))
            throw new ShiraFormatException($"Model file '{path}' does not exist.");
        return File.ReadAllBytes(path);
    }

    /// <inheritdoc />
    public SafetensorsFile OpenSafetensors(string fileName)
    {
        string path = PathOf(fileName);
        if (!File.Exists(path))
            throw new ShiraFormatException($"Model file '{path}' does not exist.");
        return SafetensorsFile.Open(path);
    }

    private string PathOf(string fileName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(fileName);
        if (Path.IsPathRooted(fileName) || fileName.Split('/', '\\').Contains(".."))
            throw new ShiraFormatException($"Model folder '{Directory}': file name '{fileName}' must be relative to the folder.");
        return Path.Combine(Directory, fileName);
    }

    /// <summary>The folder path.</summary>
    public override string ToString() => Directory;
}
