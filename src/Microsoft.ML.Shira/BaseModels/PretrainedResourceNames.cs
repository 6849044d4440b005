using System.Reflection;

namespace Microsoft.ML.Shira.BaseModels;

/// <summary>
/// The built-in encoder's data: manifest resources of the <see cref="DataAssemblyName"/> assembly (its own package, so
/// that the library stays small; build/EmbedPretrainedModel.targets embeds them under these names). The library does
/// not reference that assembly; it is loaded by name when MiniLM is first asked for.
/// </summary>
internal static class PretrainedResourceNames
{
    /// <summary>The assembly and package that carry all-MiniLM-L6-v2.</summary>
    public const string DataAssemblyName = "Microsoft.ML.Shira.Data.MiniLM";

    public const string MiniLmL6V2Onnx = "Microsoft.ML.Shira.Pretrained.all-MiniLM-L6-v2.onnx";
    public const string MiniLmL6V2Vocab = "Microsoft.ML.Shira.Pretrained.all-MiniLM-L6-v2.vocab.txt";

    /// <summary>Opens a resource of the MiniLM data package.</summary>
    /// <exception cref="InvalidOperationException">The application does not reference the data package; the message names it.</exception>
    public static Stream Open(string name) => Open(DataAssemblyName, name);

    /// <summary>Opens resource <paramref name="name"/> of the assembly <paramref name="assemblyName"/>.</summary>
    internal static Stream Open(string assemblyName, string name)
    {
        Assembly data;
        try
        {
            data = Assembly.Load(new AssemblyName(assemblyName));
        }
        catch (FileNotFoundException ex)
        {
            throw new InvalidOperationException(
                $"The built-in encoder all-MiniLM-L6-v2 ships in the package {assemblyName}, which this application does not reference. " +
                $"Add it ('dotnet add package {assemblyName}'), or train on an encoder folder of your own with ShiraEncoderBaseModel.FromFolder.", ex);
        }
        return data.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"Resource '{name}' is missing from {assemblyName}; that assembly was built without its data.");
    }
}
