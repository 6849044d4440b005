using Microsoft.ML.Shira.Checkpoints.HuggingFace;
using Microsoft.ML.Shira.IO.Folders;
using Microsoft.ML.Shira.IO.Safetensors;
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

    /// <summary>
    /// A safetensors entry: one kept in memory is parsed there; one left on disk (a large weights entry) is copied to a
    /// temporary file and memory-mapped, so that it costs page cache rather than process memory and any size works.
    /// </summary>
    public SafetensorsFile OpenSafetensors(string fileName)
    {
        string name = _prefix + fileName;
        if (!_archive.IsOnDisk(name))
            return SafetensorsFile.Parse(ReadAllBytes(fileName), Describe(fileName));
        string path = Path.Combine(Path.GetTempPath(), "shira-entry-" + Guid.NewGuid().ToString("N") + ".safetensors");
        try
        {
            using (var entry = _archive.OpenEntry(name))
            using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
                entry.CopyTo(file, 1 << 20);
            return SafetensorsFile.Open(path);
        }
        finally
        {
            // The mapping outlives the name on Unix; where it cannot be deleted now, the temporary folder keeps it.
            try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <inheritdoc />
    public byte[] ReadAllBytes(string fileName) =>
        Exists(fileName) ? _archive.Read(_prefix + fileName) : throw new ShiraFormatException($"Model file '{Describe(fileName)}' does not exist.");
}
