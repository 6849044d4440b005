using System.Text.Json.Nodes;
using Microsoft.ML.Shira.ModelFiles.Manifest;
using Microsoft.ML.Shira.Tasks;
using Microsoft.ML.Shira.TextClassification.Inference;
using Microsoft.ML.Shira.TextClassification.Schema;

namespace Microsoft.ML.Shira.TextClassification.Persistence;

/// <summary>The manifest settings of a text classifier: columns, batch size, maximum length and the active selection.</summary>
internal static class ClassificationSettings
{
    public static JsonObject Columns(ClassificationColumns names) => new()
    {
        ["label"] = names.Label,
        ["sentence1"] = names.Sentence1,
        ["sentence2"] = names.Sentence2,
        ["predictedLabel"] = names.PredictedLabel,
        ["score"] = names.Score,
        ["probability"] = names.Probability,
    };

    public static ClassificationColumns Columns(ManifestNode node) => new(
        node.String("label"), node.String("sentence1"), node.OptionalString("sentence2"),
        node.String("predictedLabel"), node.String("score"), node.String("probability"));

    public static JsonObject Selection(ClassifierSelection selection) => new()
    {
        ["adapters"] = SelectionSettings.Body(selection),
        ["head"] = selection.Head,
    };

    public static ClassifierSelection Selection(ManifestNode node, IReadOnlySet<string> adapters)
    {
        var body = SelectionSettings.Body(node, "adapters");
        string head = node.String("head");
        return SelectionSettings.Check(node, null, "adapters", () => ClassifierSelection.Fusion(body, head), adapters);
    }
}
