using System.Text.Json.Nodes;
using Microsoft.ML.Data;
using Microsoft.ML.Shira.ModelFiles.Archive;
using Microsoft.ML.Shira.ModelFiles.Persistence;

namespace Microsoft.ML.Shira.ModelFiles.Layout;

/// <summary>
/// Splits a model into what ML.NET can save and the SHiRA transformers: a SHiRA transformer becomes a <c>shira</c> node;
/// a chain containing one becomes a <c>chain</c> node whose runs of ordinary transformers are saved as nested ML.NET model
/// zips (<c>mlnet</c> nodes, with the input schema of each run); any other model is one <c>mlnet</c> node.
/// </summary>
internal sealed class ModelLayoutWriter(MLContext context, ModelArchiveWriter archive, ShiraSaveOptions options)
{
    private int _segments;
    private int _shiraTransformers;

    /// <summary>Adds the entries of <paramref name="model"/> and the input schema; returns the layout node of the model.</summary>
    public JsonObject Write(ITransformer model, DataViewSchema inputSchema)
    {
        archive.Add(ArchiveEntryNames.InputSchema, MlNetModels.SaveSchema(context, inputSchema), compress: false);
        return Node(model, inputSchema);
    }

    private JsonObject Node(ITransformer model, DataViewSchema input)
    {
        if (model is IShiraPersistable shira)
            return Shira(shira);
        if (TransformerChains.TryGetElements(model, out var elements, out var scopes) && elements.Any(TransformerChains.ContainsShira))
            return Chain(elements, scopes, input);
        return new JsonObject { ["type"] = "mlnet", ["entry"] = Segment(model, input) };
    }

    private JsonObject Shira(IShiraPersistable transformer)
    {
        var writer = new ShiraModelWriter(context, archive, ArchiveEntryNames.ShiraTransformer(_shiraTransformers++), options);
        transformer.WriteTo(writer);
        return new JsonObject
        {
            ["type"] = "shira",
            ["kind"] = transformer.Kind,
            ["prefix"] = writer.Prefix,
            ["settings"] = writer.Settings,
        };
    }

    private JsonObject Chain(IReadOnlyList<ITransformer> elements, IReadOnlyList<TransformerScope> scopes, DataViewSchema input)
    {
        var items = new JsonArray();
        var run = new List<int>();
        var runInput = input;
        var schema = input;
        void FlushRun()
        {
            if (run.Count == 0)
                return;
            var segment = new TransformerChain<ITransformer>(run.Select(i => elements[i]), run.Select(i => scopes[i]));
            items.Add(new JsonObject
            {
                ["type"] = "mlnet",
                ["entry"] = Segment(segment, runInput),
                ["scopes"] = new JsonArray(run.Select(i => (JsonNode)JsonValue.Create(scopes[i].ToString())!).ToArray()),
            });
            run.Clear();
        }

        for (int i = 0; i < elements.Count; i++)
        {
            if (TransformerChains.ContainsShira(elements[i]))
            {
                FlushRun();
                var node = Node(elements[i], schema);
                node["scope"] = scopes[i].ToString();
                items.Add(node);
            }
            else
            {
                if (run.Count == 0)
                    runInput = schema;
                run.Add(i);
            }
            schema = elements[i].GetOutputSchema(schema);
        }
        FlushRun();
        return new JsonObject { ["type"] = "chain", ["items"] = items };
    }

    private string Segment(ITransformer model, DataViewSchema input)
    {
        string entry = ArchiveEntryNames.MlNetSegment(_segments++);
        archive.Add(entry, MlNetModels.Save(context, model, input), compress: false);
        return entry;
    }
}
