using System.Text;
using System.Text.Json;
using Microsoft.ML.Shira.IO;

namespace Microsoft.ML.Shira.Text;

/// <summary>Reads the slow-tokenizer files of a byte-level BPE: <c>vocab.json</c> (token → id) and <c>merges.txt</c>.</summary>
internal static class ByteLevelBpeFiles
{
    /// <summary>Parses both files; the sources name them in errors.</summary>
    public static ByteLevelBpeDefinition Read(byte[] vocabJson, string vocabSource, byte[] mergesText, string mergesSource, IReadOnlyList<AddedToken> addedTokens)
    {
        var vocabulary = ReadVocabulary(vocabJson, vocabSource);
        var (merges, lines) = ReadMerges(mergesText, mergesSource);
        return new ByteLevelBpeDefinition($"'{vocabSource}' and '{mergesSource}'", vocabulary, merges, addedTokens, addPrefixSpace: false,
            i => $"Merges file '{mergesSource}', line {lines[i]}:");
    }

    /// <summary>Parses a JSON object of token → non-negative integer id.</summary>
    public static Dictionary<string, int> ReadVocabulary(byte[] json, string source)
    {
        using (var document = JsonText.ParseDocument(json, $"Vocabulary file '{source}'"))
            return ReadVocabulary(document.RootElement, $"Vocabulary file '{source}'");
    }

    /// <summary>Reads a token → id object; <paramref name="where"/> starts error messages.</summary>
    public static Dictionary<string, int> ReadVocabulary(JsonElement element, string where)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw new ShiraFormatException($"{where} must be a JSON object mapping tokens to ids, got {element.ValueKind}.");
        var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
        var tokenOf = new Dictionary<int, string>();
        foreach (var property in element.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.Number || !property.Value.TryGetInt32(out int id) || id < 0)
                throw new ShiraFormatException($"{where}: token '{property.Name}' must map to a non-negative integer id, got {property.Value.GetRawText()}.");
            if (!vocabulary.TryAdd(property.Name, id))
                throw new ShiraFormatException($"{where}: token '{property.Name}' appears twice.");
            if (!tokenOf.TryAdd(id, property.Name))
                throw new ShiraFormatException($"{where}: id {id} is used by both '{tokenOf[id]}' and '{property.Name}'.");
        }
        if (vocabulary.Count == 0)
            throw new ShiraFormatException($"{where} is empty.");
        return vocabulary;
    }

    /// <summary>Parses <c>merges.txt</c>: an optional <c>#version</c> line, then one <c>left right</c> pair per line.</summary>
    private static (List<(string Left, string Right)> Merges, List<int> Lines) ReadMerges(byte[] text, string source)
    {
        string content;
        try
        {
            content = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(text);
        }
        catch (DecoderFallbackException ex)
        {
            throw new ShiraFormatException($"Merges file '{source}' is not valid UTF-8: {ex.Message}", ex);
        }
        var merges = new List<(string, string)>();
        var lines = new List<int>();
        string[] rows = content.TrimStart('\uFEFF').Split('\n');
        for (int i = 0; i < rows.Length; i++)
        {
            string line = rows[i].TrimEnd('\r');
            if (line.Length == 0 || (i == 0 && line.StartsWith("#version", StringComparison.Ordinal)))
                continue;
            var parts = line.Split(' ');
            if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
                throw new ShiraFormatException($"Merges file '{source}', line {i + 1}: expected two tokens separated by one space, got '{Shorten(line)}'.");
            merges.Add((parts[0], parts[1]));
            lines.Add(i + 1);
        }
        return (merges, lines);
    }

    private static string Shorten(string line) => line.Length <= 80 ? line : line[..80] + "…";
}
