using System.Text;
using System.Text.Json.Nodes;
using Microsoft.ML.Shira.Tests.MlNet;
using Microsoft.ML.Shira.Text;

namespace Microsoft.ML.Shira.Tests.Encoders;

/// <summary>
/// Encoder folders built from the transformers-written tiny checkpoints in data/arch-refs (vocabulary of 320 ids),
/// with a tokenizer of that size learned from SST-2 sentences: a WordPiece <c>vocab.txt</c> for DistilBERT, a byte-level
/// BPE <c>vocab.json</c> + <c>merges.txt</c> in RoBERTa's id layout (<c>&lt;s&gt;</c> 0, <c>&lt;pad&gt;</c> 1,
/// <c>&lt;/s&gt;</c> 2, <c>&lt;unk&gt;</c> 3) for RoBERTa. The tokenizers are fixtures, not references.
/// </summary>
internal static class EncoderFolders
{
    private const int VocabularySize = 320;

    /// <summary>One epoch of SST-2 sentences on the encoder folder <paramref name="folder"/>, one thread.</summary>
    public static TextClassification.ShiraTextClassificationOptions ClassifierOptions(string folder, int maxSequenceLength, int seed) => new()
    {
        BaseModel = ShiraEncoderBaseModel.FromFolder(folder),
        Sentence1ColumnName = nameof(BinarySentimentRow.Sentence1),
        Epochs = 1,
        BatchSize = 16,
        MaxSequenceLength = maxSequenceLength,
        NumberOfThreads = 1,
        Seed = seed,
    };

    public static string ArchRef(string name) => Path.Combine(TestPaths.Data, "arch-refs", name, "base");

    /// <summary>A copy of the arch-refs checkpoint <paramref name="name"/> (config and weights) in a new temporary folder.</summary>
    public static string CopyCheckpoint(string name)
    {
        string dir = TestPaths.NewTempDirectory();
        foreach (string file in new[] { "config.json", "model.safetensors" })
            File.Copy(Path.Combine(ArchRef(name), file), Path.Combine(dir, file));
        return dir;
    }

    public static string DistilBert()
    {
        string dir = CopyCheckpoint("distilbert");
        var tokens = new List<string> { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]" };
        var pieces = "abcdefghijklmnopqrstuvwxyz0123456789.,!?'-".Select(c => c.ToString()).ToList();
        tokens.AddRange(pieces);
        tokens.AddRange(pieces.Select(p => "##" + p));
        var words = Sentences().SelectMany(s => s.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(w => w.All(char.IsLetter) && w.Length > 1)
            .GroupBy(w => w).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Select(g => g.Key);
        tokens.AddRange(words.Take(VocabularySize - tokens.Count));
        File.WriteAllLines(Path.Combine(dir, "vocab.txt"), tokens);
        return dir;
    }

    public static string Roberta()
    {
        string dir = CopyCheckpoint("roberta");
        var (vocab, merges) = ByteLevelBpe(["<s>", "<pad>", "</s>", "<unk>"], Sentences());
        File.WriteAllText(Path.Combine(dir, "vocab.json"), vocab.ToJsonString());
        File.WriteAllLines(Path.Combine(dir, "merges.txt"), ["#version: 0.2", .. merges.Select(m => m.Left + " " + m.Right)]);
        return dir;
    }

    /// <summary>RoBERTa's checkpoint as <c>xlm-roberta</c> (the same layout) with an XLM-RoBERTa-shaped unigram <c>tokenizer.json</c> of 320 pieces.</summary>
    public static string XlmRoberta()
    {
        string dir = CopyCheckpoint("roberta");
        SetModelType(dir, "xlm-roberta");
        Tokenizers.SyntheticUnigramTokenizerJson.Write(dir, Sentences(), maxPieces: VocabularySize);
        return dir;
    }

    public static void SetModelType(string folder, string modelType)
    {
        string config = Path.Combine(folder, "config.json");
        var json = JsonNode.Parse(File.ReadAllText(config))!.AsObject();
        json["model_type"] = modelType;
        File.WriteAllText(config, json.ToJsonString());
    }

    private static IEnumerable<string> Sentences() => Sst2Data.Read("train", 400).Select(r => r.Sentence1);

    /// <summary>Specials, the 256 byte characters, then merges learned greedily (most frequent pair first) until the vocabulary is full.</summary>
    private static (JsonObject Vocab, List<(string Left, string Right)> Merges) ByteLevelBpe(string[] specials, IEnumerable<string> sentences)
    {
        var vocab = new JsonObject();
        foreach (string s in specials)
            vocab[s] = vocab.Count;
        foreach (char c in ByteLevelAlphabet.CharOfByte)
            vocab[c.ToString()] = vocab.Count;
        var words = sentences.SelectMany(s => s.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select((w, i) => i == 0 ? w : " " + w))
            .Select(w => Encoding.UTF8.GetBytes(w).Select(b => ByteLevelAlphabet.CharOfByte[b].ToString()).ToList())
            .ToList();
        var merges = new List<(string, string)>();
        while (vocab.Count < VocabularySize)
        {
            var best = words.SelectMany(w => w.Zip(w.Skip(1)))
                .GroupBy(p => p).OrderByDescending(g => g.Count()).ThenBy(g => g.Key.First + " " + g.Key.Second, StringComparer.Ordinal).First().Key;
            merges.Add(best);
            vocab[best.First + best.Second] = vocab.Count;
            foreach (var word in words)
            {
                for (int i = 0; i < word.Count - 1; i++)
                {
                    if (word[i] == best.First && word[i + 1] == best.Second)
                    {
                        word[i] = best.First + best.Second;
                        word.RemoveAt(i + 1);
                    }
                }
            }
        }
        return (vocab, merges);
    }
}
