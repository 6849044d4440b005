using System.Reflection;
using Microsoft.ML.Shira.Checkpoints.HuggingFace;

namespace Microsoft.ML.Shira.IO.Folders;

/// <summary>The files of a model folder stored as manifest resources named <c>prefix + fileName</c>.</summary>
internal sealed class EmbeddedModelFileSource : IModelFileSource
{
    private readonly Assembly _assembly;
    private readonly HashSet<string> _names;

    /// <summary>Uses the resources of <paramref name="assembly"/> whose names start with <paramref name="resourcePrefix"/>.</summary>
    public EmbeddedModelFileSource(Assembly assembly, string resourcePrefix)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        ArgumentNullException.ThrowIfNull(resourcePrefix);
        _assembly = assembly;
        ResourcePrefix = resourcePrefix;
        _names = new HashSet<string>(assembly.GetManifestResourceNames(), StringComparer.Ordinal);
    }

    /// <summary>Prefix of the resource names.</summary>
    public string ResourcePrefix { get; }

    /// <inheritdoc />
    public string Describe(string fileName) => $"resource {_assembly.GetName().Name}/{ResourcePrefix}{fileName}";

    /// <inheritdoc />
    public bool Exists(string fileName) => _names.Contains(ResourcePrefix + fileName);

    /// <inheritdoc />
    public byte[] ReadAllBytes(string fileName)
    {
        using var stream = _assembly.GetManifestResourceStream(ResourcePrefix + fileName)
            ?? throw new ShiraFormatException($"Model file '{Describe(fileName)}' does not exist.");
        using var copy = new MemoryStream(stream.CanSeek ? (int)stream.Length : 0);
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>The assembly and prefix.</summary>
    public override string ToString() => Describe("");
}
