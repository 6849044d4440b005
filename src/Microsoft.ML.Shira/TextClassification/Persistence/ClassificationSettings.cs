using System.Text.Json.Nodes;
using Microsoft.ML.Shira.ModelFiles.Manifest;
using Microsoft.ML.Shira.TextClassification.Inference;
using Microsoft.ML.Shira.TextClassification.Schema;

namespace Microsoft.ML.Shira.TextClassification.Persistence;

/// <summary>The manifest settings of a text classifier: columns, batch size, maximum length and the active selection.</summary>
internal static class ClassificationSettings
{
    public static JsonObject Columns(ColumnNames names) => new()
    {
        ["label"] = names.Label,
        ["sentence1"] = names.Sentence1,
        ["sentence2"] = names.Sentence2,
        ["predictedLabel"] = names.PredictedLabel,
        ["score"] = names.Score,
        ["probability"] = names.Probability,
    };

    public static ColumnNames Columns(ManifestNode node) => new(
        node.String("label"), node.String("sentence1"), node.OptionalString("sentence2"),
        node.String("predictedLabel"), node.String("score"), node.String("probability"));

    public static JsonObject Selection(AdapterSelection selection) => new()
    {
        ["adapters"] = new JsonArray(selection.Body.Select(b => (JsonNode)new JsonObject { ["name"] = b.Name, ["alpha"] = b.Alpha }).ToArray()),
        ["head"] = selection.Head,
    };

    public static AdapterSelection Selection(ManifestNode node, IReadOnlyCollection<string> adapters)
    {
        var body = node.Objects("adapters").Select(a => (a.String("name"), a.Double("alpha"))).ToList();
        string head = node.String("head");
        AdapterSelection selection;
        try
        {
            selection = ShiraTextClassificationTransformer.Fusion(body, head);
        }
        catch (ArgumentException ex)
        {
            throw node.Error($"is not a valid adapter selection: {ex.Message}", "adapters", ex);
        }
        var unknown = selection.Names.FirstOrDefault(n => !adapters.Contains(n));
        if (unknown is not null)
            throw node.Error($"selects adapter '{unknown}', which the file does not hold.");
        return selection;
    }
}
