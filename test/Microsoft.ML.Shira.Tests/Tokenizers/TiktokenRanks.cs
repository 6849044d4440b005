using System.Globalization;
using System.IO.Compression;
using System.Reflection;

namespace Microsoft.ML.Shira.Tests.Tokenizers;

/// <summary>
/// Tiktoken BPE ranks from a Microsoft.ML.Tokenizers data package, written in GPT-2's byte-level alphabet, and the
/// merges a Hugging Face BPE needs to reproduce them: for each multi-byte token in rank order, its bytes merged with
/// lower-ranked tokens only until two parts remain (the conversion transformers' <c>convert_tiktoken_to_fast</c> does).
/// </summary>
internal sealed class TiktokenRanks
{
    private TiktokenRanks(Dictionary<string, int> rankOf, List<(string Left, string Right)> merges)
    {
        RankOf = rankOf;
        Merges = merges;
    }

    /// <summary>Byte-level token → rank.</summary>
    public Dictionary<string, int> RankOf { get; }

    /// <summary>Merges in rank order.</summary>
    public List<(string Left, string Right)> Merges { get; }

    /// <summary>Reads the deflated <c>.tiktoken</c> resource <paramref name="resource"/> of assembly <paramref name="assemblyName"/>.</summary>
    public static TiktokenRanks Load(string assemblyName, string resource)
    {
        var chars = ByteChars();
        var rankOf = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (bytes, rank) in ReadRanks(assemblyName, resource))
            rankOf[new string(bytes.Select(b => chars[b]).ToArray())] = rank;
        return new TiktokenRanks(rankOf, RecoverMerges(rankOf));
    }

    /// <summary>GPT-2's byte → character table (bytes_to_unicode), written out from its definition.</summary>
    public static char[] ByteChars()
    {
        var printable = Enumerable.Range('!', '~' - '!' + 1).Concat(Enumerable.Range(0xA1, 0xAC - 0xA1 + 1)).Concat(Enumerable.Range(0xAE, 0xFF - 0xAE + 1)).ToHashSet();
        var chars = new char[256];
        int extra = 0;
        for (int b = 0; b < 256; b++)
            chars[b] = printable.Contains(b) ? (char)b : (char)(256 + extra++);
        return chars;
    }

    /// <summary>An optional <c>Capacity: N</c> line, then per token <c>base64(bytes) rank</c> or <c>base64(bytes)</c> (rank = line number).</summary>
    internal static List<(byte[] Bytes, int Rank)> ReadRanks(string assemblyName, string resource)
    {
        var assembly = Assembly.Load(assemblyName);
        using var compressed = assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"{assemblyName} has no {resource} resource.");
        using var reader = new StreamReader(new DeflateStream(compressed, CompressionMode.Decompress));
        var lines = new List<string>();
        while (reader.ReadLine() is { } line)
            lines.Add(line);
        if (lines.Count > 0 && lines[0].StartsWith("Capacity: ", StringComparison.Ordinal))
            lines.RemoveAt(0);
        while (lines.Count > 0 && lines[0].Length == 0)
            lines.RemoveAt(0);
        var ranks = new List<(byte[], int)>();
        for (int i = 0; i < lines.Count; i++)
        {
            string line = lines[i];
            if (line.Length == 0)
                continue;
            int space = line.IndexOf(' ', StringComparison.Ordinal);
            ranks.Add(space < 0
                ? (Convert.FromBase64String(line), i)
                : (Convert.FromBase64String(line[..space]), int.Parse(line[(space + 1)..], CultureInfo.InvariantCulture)));
        }
        return ranks;
    }

    /// <summary>transformers' <c>convert_tiktoken_to_fast</c>: each multi-character token, in rank order, splits into the two lower-ranked parts BPE joins last.</summary>
    internal static List<(string, string)> RecoverMerges(Dictionary<string, int> rankOf)
    {
        var merges = new List<(string, string)>();
        foreach (string token in rankOf.OrderBy(p => p.Value).Select(p => p.Key).Where(t => t.Length > 1))
        {
            int limit = rankOf[token];
            var parts = token.Select(c => c.ToString()).ToList();
            while (parts.Count > 2)
            {
                int best = -1, bestRank = int.MaxValue;
                for (int i = 0; i + 1 < parts.Count; i++)
                {
                    if (rankOf.TryGetValue(parts[i] + parts[i + 1], out int r) && r < limit && r < bestRank)
                        (best, bestRank) = (i, r);
                }
                if (best < 0)
                    break;
                parts[best] += parts[best + 1];
                parts.RemoveAt(best + 1);
            }
            if (parts.Count != 2)
                throw new InvalidOperationException($"Token of rank {limit} does not split into two lower-ranked tokens.");
            merges.Add((parts[0], parts[1]));
        }
        return merges;
    }
}
