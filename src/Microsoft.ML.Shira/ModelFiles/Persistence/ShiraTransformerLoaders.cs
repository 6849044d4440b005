using Microsoft.ML.Shira.TextClassification.Persistence;
using Microsoft.ML.Shira.TextGeneration.Persistence;

namespace Microsoft.ML.Shira.ModelFiles.Persistence;

/// <summary>The loader of every SHiRA transformer kind that model files can hold.</summary>
internal static class ShiraTransformerLoaders
{
    private static readonly Dictionary<string, IShiraTransformerLoader> ByKind =
        new IShiraTransformerLoader[]
        {
            new ClassificationTransformerLoader(),
            new GenerationTransformerLoader(),
        }.ToDictionary(l => l.Kind, StringComparer.Ordinal);

    /// <summary>Kinds this library can load.</summary>
    public static IEnumerable<string> Kinds => ByKind.Keys;

    /// <summary>The loader of <paramref name="kind"/>, if this library knows it.</summary>
    public static bool TryGet(string kind, out IShiraTransformerLoader loader) => ByKind.TryGetValue(kind, out loader!);
}
