using System.Text.Json.Nodes;
using Microsoft.ML.Shira.Decoding;
using Microsoft.ML.Shira.ModelFiles.Manifest;
using Microsoft.ML.Shira.Tasks;
using Microsoft.ML.Shira.TextGeneration.Inference;
using Microsoft.ML.Shira.TextGeneration.Schema;

namespace Microsoft.ML.Shira.TextGeneration.Persistence;

/// <summary>The manifest settings of a text generator: columns, generation options and the active selection.</summary>
internal static class GenerationSettings
{
    public static JsonObject Columns(GenerationColumns names) => new()
    {
        ["text"] = names.Text,
        ["prompt"] = names.Prompt,
        ["response"] = names.Response,
        ["output"] = names.Output,
    };

    public static GenerationColumns Columns(ManifestNode node) =>
        new(node.String("text"), node.OptionalString("prompt"), node.OptionalString("response"), node.String("output"));

    public static JsonObject Options(GenerationOptions options) => new()
    {
        ["maxNewTokens"] = options.MaxNewTokens,
        ["doSample"] = options.DoSample,
        ["temperature"] = options.Temperature,
        ["topK"] = options.TopK,
        ["topP"] = options.TopP,
        ["seed"] = options.Seed,
        ["stopTokenIds"] = Array(options.StopTokenIds.Select(id => JsonValue.Create(id))),
        ["stopAtEndOfSequence"] = options.StopAtEndOfSequence,
        ["stopStrings"] = Array(options.StopStrings.Select(s => JsonValue.Create(s))),
        ["useCache"] = options.UseCache,
    };

    public static GenerationOptions Options(ManifestNode node)
    {
        var options = new GenerationOptions
        {
            MaxNewTokens = node.Int("maxNewTokens"),
            DoSample = node.Bool("doSample"),
            Temperature = node.Double("temperature"),
            TopK = node.Int("topK"),
            TopP = node.Double("topP"),
            Seed = node.OptionalULong("seed"),
            StopTokenIds = node.Ints("stopTokenIds").ToList(),
            StopAtEndOfSequence = node.Bool("stopAtEndOfSequence"),
            StopStrings = (node.OptionalStrings("stopStrings") ?? throw node.Error("is missing; expected an array of strings.", "stopStrings")).ToList(),
            UseCache = node.Bool("useCache"),
        };
        try
        {
            options.Validate();
        }
        catch (ArgumentException ex)
        {
            throw node.Error($"are not valid generation options: {ex.Message}", inner: ex);
        }
        return options;
    }

    public static JsonArray Selection(GeneratorSelection selection) => SelectionSettings.Body(selection);

    public static GeneratorSelection Selection(ManifestNode settings, string key, IReadOnlySet<string> adapters)
    {
        var body = SelectionSettings.Body(settings, key);
        if (body.Count == 0)
            return GeneratorSelection.BaseModel;
        return SelectionSettings.Check(settings, key, key, () => GeneratorSelection.Fusion(body), adapters);
    }

    private static JsonArray Array(IEnumerable<JsonNode?> items) => new(items.ToArray());
}
