using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML.Shira.Checkpoints.HuggingFace;

namespace Microsoft.ML.Shira.IO.HuggingFace;

/// <summary>
/// A parsed Hugging Face <c>config.json</c>. Typed getters raise <see cref="ShiraFormatException"/> naming the file
/// and the key when a value is missing or has the wrong type.
/// </summary>
internal sealed class HuggingFaceConfig
{
    private HuggingFaceConfig(string source, JsonObject json)
    {
        Source = source;
        Json = json;
    }

    /// <summary>Path or description of the file, used in error messages.</summary>
    public string Source { get; }

    /// <summary>The JSON object (a private copy; changing it does not change the file).</summary>
    public JsonObject Json { get; }

    /// <summary>The <c>model_type</c> value.</summary>
    /// <exception cref="ShiraFormatException">The key is missing or not a string.</exception>
    public string ModelType => GetString("model_type") is { Length: > 0 } type
        ? type
        : throw new ShiraFormatException($"Config file '{Source}' has no 'model_type'; cannot tell which architecture to build.");

    /// <summary>Parses config JSON; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="ShiraFormatException">The text is not a JSON object.</exception>
    public static HuggingFaceConfig Parse(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        var node = JsonText.ParseNode(json, $"Config file '{source}'");
        return node is JsonObject obj
            ? new HuggingFaceConfig(source, obj)
            : throw new ShiraFormatException($"Config file '{source}' is not a JSON object.");
    }

    /// <summary>True when the key is present and not <c>null</c>.</summary>
    public bool Has(string key) => Json[key] is not null;

    /// <summary>A string value, or null when absent.</summary>
    public string? GetString(string key) => Json[key] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        var other => throw WrongType(key, "a string", other),
    };

    /// <summary>An integer value, or <paramref name="defaultValue"/> when absent.</summary>
    public long GetInt64(string key, long defaultValue) => Json[key] is null ? defaultValue : GetInt64(key);

    /// <summary>A required integer value.</summary>
    public long GetInt64(string key) => ToInt64(key, Json[key]);

    /// <summary>A number, or <paramref name="defaultValue"/> when absent.</summary>
    public double GetDouble(string key, double defaultValue) => Json[key] is null ? defaultValue : ToDouble(key, Json[key]);

    /// <summary>A boolean, or <paramref name="defaultValue"/> when absent.</summary>
    public bool GetBoolean(string key, bool defaultValue) => Json[key] switch
    {
        null => defaultValue,
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
        var other => throw WrongType(key, "true or false", other),
    };

    /// <summary>An integer or a list of integers (e.g. <c>eos_token_id</c>); empty when absent.</summary>
    public IReadOnlyList<long> GetInt64List(string key) => Json[key] switch
    {
        null => Array.Empty<long>(),
        JsonArray array => array.Select(item => ToInt64(key, item)).ToArray(),
        var value => new[] { ToInt64(key, value) },
    };

    /// <summary>A nested object, or null when absent.</summary>
    public JsonObject? GetObject(string key) => Json[key] switch
    {
        null => null,
        JsonObject obj => obj,
        var other => throw WrongType(key, "an object", other),
    };

    /// <summary>Creates the exception for an invalid value of <paramref name="key"/>.</summary>
    public ShiraFormatException Invalid(string key, string problem) =>
        new($"Config file '{Source}': '{key}' {problem}");

    private long ToInt64(string key, JsonNode? node)
    {
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number)
        {
            double d = v.GetValue<double>();
            if (d == Math.Floor(d) && Math.Abs(d) < 9e15)
                return (long)d;
        }
        throw node is null
            ? new ShiraFormatException($"Config file '{Source}' has no '{key}'.")
            : WrongType(key, "an integer", node);
    }

    private double ToDouble(string key, JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.Number
            ? v.GetValue<double>()
            : throw WrongType(key, "a number", node);

    private ShiraFormatException WrongType(string key, string expected, JsonNode? node) =>
        new($"Config file '{Source}': '{key}' must be {expected}, got {node?.ToJsonString() ?? "null"}.");
}
