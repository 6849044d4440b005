using Microsoft.ML.Data;
using Microsoft.ML.Shira.ModelFiles.Archive;
using Microsoft.ML.Shira.ModelFiles.Manifest;
using Microsoft.ML.Shira.ModelFiles.Persistence;

namespace Microsoft.ML.Shira.ModelFiles.Layout;

/// <summary>
/// Rebuilds a model from its layout: ML.NET segments with <c>mlContext.Model.Load</c> (their elements spliced into the
/// rebuilt chain, with their scopes), SHiRA transformers with the loader of their kind. On failure every SHiRA transformer
/// already built is disposed.
/// </summary>
internal sealed class ModelLayoutReader(MLContext context, ModelArchiveReader archive, string? filePath)
{
    private readonly List<IDisposable> _built = new();

    /// <summary>Builds the model of the manifest <paramref name="root"/> and reads its input schema.</summary>
    public ITransformer Read(ManifestNode root, out DataViewSchema inputSchema)
    {
        try
        {
            string schemaEntry = root.String("inputSchema");
            inputSchema = MlNetModels.LoadSchema(context, archive.Read(schemaEntry), archive.Source, schemaEntry);
            return Node(root.Object("model"));
        }
        catch
        {
            for (int i = _built.Count - 1; i >= 0; i--)
                _built[i].Dispose();
            throw;
        }
    }

    private ITransformer Node(ManifestNode node)
    {
        string type = node.String("type");
        return type switch
        {
            "mlnet" => Segment(node, out _),
            "chain" => Chain(node),
            "shira" => Shira(node),
            _ => throw node.Error($"is '{type}'; expected 'mlnet', 'chain' or 'shira'.", "type"),
        };
    }

    private ITransformer Chain(ManifestNode node)
    {
        var elements = new List<ITransformer>();
        var scopes = new List<TransformerScope>();
        foreach (var item in node.Objects("items"))
        {
            if (item.String("type") == "mlnet")
            {
                var segment = Segment(item, out string entry);
                var segmentScopes = item.OptionalStrings("scopes") ?? throw item.Error("is missing; a chain segment lists the scope of each transformer.", "scopes");
                if (!TransformerChains.TryGetElements(segment, out var segmentElements, out _) || segmentElements.Count != segmentScopes.Count)
                    throw item.Error($"lists {segmentScopes.Count} transformer scopes, but entry '{entry}' does not hold a chain of that many transformers.", "scopes");
                elements.AddRange(segmentElements);
                scopes.AddRange(segmentScopes.Select((s, i) => ParseScope(item, $"scopes[{i}]", s)));
            }
            else
            {
                elements.Add(Node(item));
                scopes.Add(ParseScope(item, "scope", item.String("scope")));
            }
        }
        return new TransformerChain<ITransformer>(elements, scopes);
    }

    private ITransformer Segment(ManifestNode node, out string entry)
    {
        entry = node.String("entry");
        return MlNetModels.Load(context, archive.Read(entry), archive.Source, entry, out _);
    }

    private ITransformer Shira(ManifestNode node)
    {
        string kind = node.String("kind");
        if (!ShiraTransformerLoaders.TryGet(kind, out var loader))
            throw node.Error(
                $"is '{kind}', a SHiRA transformer kind this library (Microsoft.ML.Shira {ShiraInfo.Version}) cannot load; it knows " +
                $"{string.Join(", ", ShiraTransformerLoaders.Kinds.Select(k => $"'{k}'"))}. Load the model with the library version that saved it.", "kind");
        var transformer = loader.Load(new ShiraModelReader(context, archive, node, filePath));
        if (transformer is IDisposable disposable)
            _built.Add(disposable);
        return transformer;
    }

    private static TransformerScope ParseScope(ManifestNode node, string field, string text) =>
        Enum.TryParse<TransformerScope>(text, out var scope)
            ? scope
            : throw node.Error($"is '{text}', not a TransformerScope.", field);
}
