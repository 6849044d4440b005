using System.Text;

namespace Microsoft.ML.Shira.Samples;

/// <summary>A labelled sentence.</summary>
public sealed class LabeledText
{
    /// <summary>The text.</summary>
    public string Text { get; set; } = "";

    /// <summary>The class name.</summary>
    public string Label { get; set; } = "";
}

/// <summary>Reads the repository's datasets (data/README.md gives their provenance).</summary>
public static class SampleData
{
    /// <summary>TREC class names by label index.</summary>
    public static readonly string[] TrecClasses = { "DESC", "ENTY", "ABBR", "HUM", "LOC", "NUM" };

    /// <summary>The repository's data folder, found above the running sample.</summary>
    public static string Folder { get; } = FindDataFolder();

    /// <summary>SST-2 sentences (<c>train</c>, <c>dev</c> or <c>test</c>) with labels "negative"/"positive".</summary>
    public static List<LabeledText> Sst2(string split, int? take = null) =>
        ReadLabelFirst(Path.Combine(Folder, "classification", "sst2", $"stsa.binary.{split}"), Encoding.UTF8, l => l == "1" ? "positive" : "negative", take);

    /// <summary>TREC questions (<c>train</c> or <c>test</c>) with their question type.</summary>
    public static List<LabeledText> Trec(string split, int? take = null) =>
        ReadLabelFirst(Path.Combine(Folder, "classification", "trec", $"TREC.{split}.all"), Encoding.Latin1, l => TrecClasses[int.Parse(l)], take);

    /// <summary>
    /// UCI review sentences of one domain (<c>yelp</c>, <c>amazon_cells</c>, <c>imdb</c>), split 80/20 by a seeded shuffle
    /// (seed 2015) so every run and every sample uses the same split.
    /// </summary>
    public static (List<LabeledText> Train, List<LabeledText> Test) Uci(string domain)
    {
        var rows = File.ReadAllLines(Path.Combine(Folder, "classification", "uci-sentiment", $"{domain}_labelled.txt"), Encoding.UTF8)
            .Select(line => line.Split('\t'))
            .Where(parts => parts.Length == 2)
            .Select(parts => new LabeledText { Text = parts[0].Trim(), Label = parts[1].Trim() == "1" ? "positive" : "negative" })
            .ToList();
        var random = new Random(2015);
        var shuffled = rows.OrderBy(_ => random.Next()).ToList();
        int cut = shuffled.Count * 8 / 10;
        return (shuffled.Take(cut).ToList(), shuffled.Skip(cut).ToList());
    }

    private static List<LabeledText> ReadLabelFirst(string path, Encoding encoding, Func<string, string> label, int? take)
    {
        var rows = File.ReadLines(path, encoding)
            .Where(line => line.Length > 2)
            .Select(line => new LabeledText { Label = label(line[..line.IndexOf(' ')]), Text = line[(line.IndexOf(' ') + 1)..].Trim() });
        return (take is null ? rows : rows.Take(take.Value)).ToList();
    }

    private static string FindDataFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "data", "classification");
            if (Directory.Exists(candidate))
                return Path.Combine(dir.FullName, "data");
        }
        throw new DirectoryNotFoundException("Cannot find the repository's data/ folder above " + AppContext.BaseDirectory + "; run the sample from the repository.");
    }
}
