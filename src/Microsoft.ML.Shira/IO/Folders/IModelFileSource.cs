using Microsoft.ML.Shira.Checkpoints.HuggingFace;
using Microsoft.ML.Shira.IO.Safetensors;

namespace Microsoft.ML.Shira.IO.Folders;

/// <summary>
/// Read access to the files of a Hugging Face model folder (<c>config.json</c>, <c>model.safetensors</c>, …), whether
/// they live in a directory (<see cref="DirectoryModelFileSource"/>) or in an assembly (<see cref="EmbeddedModelFileSource"/>).
/// </summary>
internal interface IModelFileSource
{
    /// <summary>How a file is named in error messages (a full path, or a resource name).</summary>
    string Describe(string fileName);

    /// <summary>True when the file exists.</summary>
    bool Exists(string fileName);

    /// <summary>Reads a whole file.</summary>
    /// <exception cref="ShiraFormatException">The file does not exist.</exception>
    byte[] ReadAllBytes(string fileName);

    /// <summary>Opens a safetensors file (the caller disposes it); folders on disk memory-map it, so its size is not limited.</summary>
    /// <exception cref="ShiraFormatException">The file does not exist or is not valid safetensors.</exception>
    SafetensorsFile OpenSafetensors(string fileName) => SafetensorsFile.Parse(ReadAllBytes(fileName), Describe(fileName));
}
