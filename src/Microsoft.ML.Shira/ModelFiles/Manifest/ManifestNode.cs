using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML.Shira.IO;
using Microsoft.ML.Shira.ModelFiles.Archive;

namespace Microsoft.ML.Shira.ModelFiles.Manifest;

/// <summary>
/// A JSON object of the manifest being read, with checked accessors: a missing or mistyped field raises
/// <see cref="ShiraFormatException"/> naming the file, the manifest entry and the field's path (e.g. <c>model.items[1].settings.batchSize</c>).
/// </summary>
internal sealed class ManifestNode(JsonObject json, string path, string source)
{
    /// <summary>The object.</summary>
    public JsonObject Json { get; } = json;

    /// <summary>Its path from the manifest root.</summary>
    public string Path { get; } = path;

    /// <summary>The model file named in messages.</summary>
    public string Source { get; } = source;

    /// <summary>A problem with this object or one of its fields.</summary>
    public ShiraFormatException Error(string message, string? field = null, Exception? inner = null)
    {
        string text = $"SHiRA model file '{Source}': manifest entry '{ArchiveEntryNames.Manifest}', field '{Join(field)}': {message}";
        return inner is null ? new ShiraFormatException(text) : new ShiraFormatException(text, inner);
    }

    public string String(string key) => OptionalString(key) ?? throw Error("is missing; expected a string.", key);

    public string? OptionalString(string key) => Value<string>(key, JsonValueKind.String, "a string");

    public int Int(string key) => Number<int>(key);

    public long Long(string key) => Number<long>(key);

    public double Double(string key) => Number<double>(key);

    public bool Bool(string key) => Json[key] is JsonValue value && value.GetValueKind() is JsonValueKind.True or JsonValueKind.False
        ? value.GetValue<bool>()
        : throw Error("is missing or not true/false.", key);

    public ulong? OptionalULong(string key) => Json[key] is null ? null : Number<ulong>(key);

    public IReadOnlyList<int> Ints(string key) => Array(key).Select((item, i) => item is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out int n)
        ? n
        : throw Error("is not an integer.", $"{key}[{i}]")).ToList();

    public ManifestNode Object(string key) => Json[key] is JsonObject child
        ? new ManifestNode(child, Join(key), Source)
        : throw Error("is missing or not a JSON object.", key);

    public IReadOnlyList<ManifestNode> Objects(string key) => Array(key).Select((item, i) => item is JsonObject child
        ? new ManifestNode(child, $"{Join(key)}[{i}]", Source)
        : throw Error("is not a JSON object.", $"{key}[{i}]")).ToList();

    public IReadOnlyList<string>? OptionalStrings(string key) => Json[key] is null
        ? null
        : Array(key).Select((item, i) => item is JsonValue v && v.GetValueKind() == JsonValueKind.String
            ? v.GetValue<string>()
            : throw Error("is not a string.", $"{key}[{i}]")).ToList();

    /// <summary>Parses the manifest entry.</summary>
    public static ManifestNode Parse(byte[] json, string source)
    {
        if (JsonText.ParseNode(json, $"SHiRA model file '{source}': manifest entry '{ArchiveEntryNames.Manifest}'") is JsonObject root)
            return new ManifestNode(root, "", source);
        throw new ShiraFormatException($"SHiRA model file '{source}': manifest entry '{ArchiveEntryNames.Manifest}' is not a JSON object.");
    }

    private JsonArray Array(string key) => Json[key] as JsonArray ?? throw Error("is missing or not a JSON array.", key);

    private T? Value<T>(string key, JsonValueKind kind, string expected) where T : class
    {
        var node = Json[key];
        if (node is null)
            return null;
        return node is JsonValue value && value.GetValueKind() == kind ? value.GetValue<T>() : throw Error($"is not {expected}.", key);
    }

    private T Number<T>(string key) where T : struct
    {
        if (Json[key] is JsonValue value && value.GetValueKind() == JsonValueKind.Number)
        {
            try
            {
                return value.GetValue<T>();
            }
            catch (Exception ex) when (ex is FormatException or InvalidOperationException or OverflowException)
            {
                throw Error($"is not a valid {typeof(T).Name}: {ex.Message}", key, ex);
            }
        }
        throw Error("is missing or not a number.", key);
    }

    private string Join(string? field) => field is null ? (Path.Length == 0 ? "(root)" : Path) : Path.Length == 0 ? field : $"{Path}.{field}";
}
