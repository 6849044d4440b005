namespace Microsoft.ML.Shira.BaseModels;

/// <summary>
/// Manifest resource names of the pretrained data embedded in this assembly at build time
/// (see build/EmbedPretrainedModel.targets, which must use the same names).
/// </summary>
internal static class PretrainedResourceNames
{
    public const string MiniLmL6V2Onnx = "Microsoft.ML.Shira.Pretrained.all-MiniLM-L6-v2.onnx";
    public const string MiniLmL6V2Vocab = "Microsoft.ML.Shira.Pretrained.all-MiniLM-L6-v2.vocab.txt";

    public static Stream Open(string name) =>
        typeof(PretrainedResourceNames).Assembly.GetManifestResourceStream(name)
        ?? throw new InvalidOperationException(
            $"Resource '{name}' is missing from {typeof(PretrainedResourceNames).Assembly.GetName().Name}; the library was built without its pretrained data.");
}
