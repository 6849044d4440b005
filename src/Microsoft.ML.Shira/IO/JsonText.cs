using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;

namespace Microsoft.ML.Shira.IO;

/// <summary>
/// Parses the JSON of files this library reads (configs, indices, adapter and tokenizer settings, safetensors headers,
/// the model-file manifest) strictly and with one kind of error: invalid UTF-8, a duplicate key, nesting deeper than 64
/// levels or malformed JSON all raise <see cref="ShiraFormatException"/> starting with <c>what</c>, never a
/// System.Text.Json exception later when a value is read. A leading UTF-8 byte-order mark is skipped; trailing commas
/// and comments are accepted (Hugging Face files sometimes have them).
/// </summary>
internal static class JsonText
{
    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
        AllowDuplicateProperties = false,
        MaxDepth = 64,
    };

    private static readonly JsonSerializerOptions SerializerOptions = new()
    {
        AllowTrailingCommas = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowDuplicateProperties = false,
        MaxDepth = 64,
    };

    /// <summary>Parses a document; the caller disposes it.</summary>
    /// <param name="utf8">The JSON bytes.</param>
    /// <param name="what">Starts error messages, e.g. <c>Config file 'x/config.json'</c>.</param>
    public static JsonDocument ParseDocument(ReadOnlyMemory<byte> utf8, string what)
    {
        utf8 = CheckUtf8(utf8, what);
        try
        {
            return JsonDocument.Parse(utf8, DocumentOptions);
        }
        catch (JsonException ex)
        {
            throw NotJson(what, ex);
        }
    }

    /// <summary>Parses decoded text as a document; the caller disposes it.</summary>
    /// <inheritdoc cref="ParseDocument(ReadOnlyMemory{byte}, string)"/>
    public static JsonDocument ParseDocument(string text, string what)
    {
        try
        {
            return JsonDocument.Parse(text, DocumentOptions);
        }
        catch (JsonException ex)
        {
            throw NotJson(what, ex);
        }
    }

    /// <summary>Parses a node tree (null for the JSON literal <c>null</c>).</summary>
    /// <inheritdoc cref="ParseDocument(ReadOnlyMemory{byte}, string)"/>
    public static JsonNode? ParseNode(ReadOnlyMemory<byte> utf8, string what)
    {
        utf8 = CheckUtf8(utf8, what);
        try
        {
            return JsonNode.Parse(utf8.Span, documentOptions: DocumentOptions);
        }
        catch (JsonException ex)
        {
            throw NotJson(what, ex);
        }
    }

    /// <summary>Parses decoded text as a node tree.</summary>
    /// <inheritdoc cref="ParseDocument(ReadOnlyMemory{byte}, string)"/>
    public static JsonNode? ParseNode(string text, string what)
    {
        try
        {
            return JsonNode.Parse(text, documentOptions: DocumentOptions);
        }
        catch (JsonException ex)
        {
            throw NotJson(what, ex);
        }
    }

    /// <summary>Deserializes <typeparamref name="T"/> from UTF-8 bytes.</summary>
    /// <inheritdoc cref="ParseDocument(ReadOnlyMemory{byte}, string)"/>
    public static T? Deserialize<T>(ReadOnlyMemory<byte> utf8, string what)
    {
        utf8 = CheckUtf8(utf8, what);
        try
        {
            return JsonSerializer.Deserialize<T>(utf8.Span, SerializerOptions);
        }
        catch (JsonException ex)
        {
            throw NotJson(what, ex);
        }
    }

    /// <summary>Deserializes <typeparamref name="T"/> from decoded text.</summary>
    /// <inheritdoc cref="ParseDocument(ReadOnlyMemory{byte}, string)"/>
    public static T? Deserialize<T>(string text, string what)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(text, SerializerOptions);
        }
        catch (JsonException ex)
        {
            throw NotJson(what, ex);
        }
    }

    private static ReadOnlyMemory<byte> CheckUtf8(ReadOnlyMemory<byte> utf8, string what)
    {
        if (utf8.Span.StartsWith("\uFEFF"u8))
            utf8 = utf8[3..];
        if (!Utf8.IsValid(utf8.Span))
        {
            throw new ShiraFormatException($"{what} is not valid UTF-8 (first bad byte at offset {FirstInvalid(utf8.Span)}).");
        }
        return utf8;
    }

    private static int FirstInvalid(ReadOnlySpan<byte> utf8)
    {
        int offset = 0;
        while (offset < utf8.Length)
        {
            var status = System.Text.Rune.DecodeFromUtf8(utf8[offset..], out _, out int consumed);
            if (status != System.Buffers.OperationStatus.Done)
                return offset;
            offset += consumed;
        }
        return offset;
    }

    private static ShiraFormatException NotJson(string what, JsonException ex) => new($"{what} is not valid JSON: {ex.Message}", ex);
}
