using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML.Shira.Checkpoints.HuggingFace;

namespace Microsoft.ML.Shira.IO.HuggingFace;

/// <summary>
/// What the typed configs of Hugging Face architectures share when they read and write <c>config.json</c>: the model
/// type check, optional ids, validation errors that name the file, and the written text (sorted keys, <c>torch_dtype</c>).
/// </summary>
internal static class HuggingFaceConfigJson
{
    /// <summary>Throws unless <paramref name="config"/> is a config of <paramref name="modelType"/>.</summary>
    /// <exception cref="ShiraFormatException">Another <c>model_type</c>.</exception>
    public static void RequireModelType(HuggingFaceConfig config, string modelType)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.ModelType != modelType)
            throw config.Invalid("model_type", $"is '{config.ModelType}', not '{modelType}'.");
    }

    /// <summary>An integer value, or null when absent.</summary>
    public static long? GetOptionalInt64(this HuggingFaceConfig config, string key) => config.Has(key) ? config.GetInt64(key) : null;

    /// <summary>Runs a typed config's <paramref name="validate"/>, reporting its error as a problem of the file.</summary>
    /// <exception cref="ShiraFormatException">A value is invalid.</exception>
    public static void Validate(HuggingFaceConfig config, Action validate)
    {
        try
        {
            validate();
        }
        catch (ArgumentException ex)
        {
            throw new ShiraFormatException($"Config file '{config.Source}': {ex.Message}", ex);
        }
    }

    /// <summary>The error of a typed config's validation for a value out of range.</summary>
    /// <exception cref="ArgumentException"><paramref name="condition"/> is false.</exception>
    public static void Require(bool condition, string architecture, string key, object value)
    {
        if (!condition)
            throw new ArgumentException($"{architecture} config: '{key}' has an invalid value {value}.");
    }

    /// <summary>
    /// The JSON to write: a copy of the file the config was read from (so keys the typed config does not model are kept),
    /// or a new object naming <paramref name="architecture"/>; with <c>model_type</c> set.
    /// </summary>
    public static JsonObject Start(JsonObject? source, string architecture, string modelType)
    {
        var json = source?.DeepClone() as JsonObject ?? new JsonObject { ["architectures"] = new JsonArray(architecture) };
        json["model_type"] = modelType;
        return json;
    }

    /// <summary>Sets a nullable key, but does not add <c>"key": null</c> when the source had no such key.</summary>
    public static void SetUnlessAbsentNull(JsonObject json, string key, long? value)
    {
        if (value is not null || json.ContainsKey(key))
            json[key] = value;
    }

    /// <summary>Token ids as Hugging Face writes them: one id as a number, several as a list.</summary>
    public static JsonNode? TokenIds(IReadOnlyList<long> ids) =>
        ids.Count == 1 ? JsonValue.Create(ids[0]) : new JsonArray(ids.Select(id => (JsonNode?)id).ToArray());

    /// <summary>Sets <c>torch_dtype</c> to <paramref name="dtype"/> and returns the <c>config.json</c> text (sorted keys).</summary>
    public static string ToText(JsonObject json, ScalarType dtype)
    {
        json["torch_dtype"] = HuggingFaceDTypes.ToName(dtype);
        var sorted = new JsonObject();
        foreach (var (key, value) in json.OrderBy(p => p.Key, StringComparer.Ordinal).ToList())
        {
            json.Remove(key);
            sorted[key] = value;
        }
        return sorted.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }
}
