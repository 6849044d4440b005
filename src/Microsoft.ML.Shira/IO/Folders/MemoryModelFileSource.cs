using Microsoft.ML.Shira.Checkpoints.HuggingFace;
using Microsoft.ML.Shira.TextGeneration;
using Microsoft.ML.Shira.TextGeneration.Persistence;

namespace Microsoft.ML.Shira.IO.Folders;

/// <summary>Model folder files held in memory (e.g. the tokenizer files of a base model embedded in a model file).</summary>
internal sealed class MemoryModelFileSource : IModelFileSource
{
    private readonly IReadOnlyDictionary<string, byte[]> _files;
    private readonly string _name;

    public MemoryModelFileSource(IReadOnlyDictionary<string, byte[]> files, string name)
    {
        _files = files;
        _name = name;
    }

    /// <inheritdoc />
    public string Describe(string fileName) => $"{_name}/{fileName}";

    /// <inheritdoc />
    public bool Exists(string fileName) => _files.ContainsKey(fileName);

    /// <inheritdoc />
    public byte[] ReadAllBytes(string fileName) =>
        _files.TryGetValue(fileName, out var data) ? data : throw new ShiraFormatException($"Model file '{Describe(fileName)}' does not exist.");
}
