using Microsoft.ML.Shira.Checkpoints.HuggingFace;
using Microsoft.ML.Shira.IO.Folders;
using Microsoft.ML.Shira.ModelFiles.Archive;

namespace Microsoft.ML.Shira.ModelFiles.Persistence;

/// <summary>The entries under a folder of a model file, read as the files of a Hugging Face model folder.</summary>
internal sealed class ArchiveModelFileSource : IModelFileSource
{
    private readonly ModelArchiveReader _archive;
    private readonly string _prefix;

    public ArchiveModelFileSource(ModelArchiveReader archive, string prefix)
    {
        _archive = archive;
        _prefix = prefix;
    }

    /// <inheritdoc />
    public string Describe(string fileName) => $"{_archive.Source} (entry {_prefix}{fileName})";

    /// <inheritdoc />
    public bool Exists(string fileName) => _archive.Contains(_prefix + fileName);

    /// <inheritdoc />
    public byte[] ReadAllBytes(string fileName) =>
        Exists(fileName) ? _archive.Read(_prefix + fileName) : throw new ShiraFormatException($"Model file '{Describe(fileName)}' does not exist.");
}
