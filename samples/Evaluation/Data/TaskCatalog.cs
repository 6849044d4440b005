using System.Text;

namespace Microsoft.ML.Shira.Evaluation.Data;

/// <summary>
/// Reads the classification data sets in <c>data/classification</c>: SST-2 (<c>stsa.binary.{train,test}</c>,
/// <c>label text</c>), TREC-6 (<c>TREC.{train,test}.all</c>, Latin-1, <c>label text</c>) and the UCI sentiment
/// domains (<c>{yelp,amazon_cells,imdb}_labelled.txt</c>, <c>text TAB label</c>, no split: a seeded 80/20 split) and
/// BANKING77 (<c>banking77/{train,test}.csv</c>, RFC 4180 CSV with the header <c>text,category</c>, 77 intents).
/// Training and test rows are then subsampled with a fixed seed (the same rows for every method and run seed).
/// </summary>
internal static class TaskCatalog
{
    /// <summary>Data split and subsampling seed, fixed so every method sees the same rows.</summary>
    public const int DataSeed = 2024;

    public static readonly string[] UciDomains = ["yelp", "amazon", "imdb"];

    public static readonly string[] All = ["sst2", "trec", .. UciDomains, "banking77"];

    public static TaskData Load(string dataRoot, string name, int? trainRows, int? testRows)
    {
        string root = Path.Combine(dataRoot, "classification");
        var (title, train, test) = name switch
        {
            "sst2" => ("SST-2", ReadLabelFirst(Path.Combine(root, "sst2", "stsa.binary.train"), Encoding.UTF8),
                ReadLabelFirst(Path.Combine(root, "sst2", "stsa.binary.test"), Encoding.UTF8)),
            "trec" => ("TREC-6", ReadLabelFirst(Path.Combine(root, "trec", "TREC.train.all"), Encoding.Latin1),
                ReadLabelFirst(Path.Combine(root, "trec", "TREC.test.all"), Encoding.Latin1)),
            "yelp" => Uci(root, "UCI Yelp", "yelp_labelled.txt"),
            "amazon" => Uci(root, "UCI Amazon", "amazon_cells_labelled.txt"),
            "imdb" => Uci(root, "UCI IMDb", "imdb_labelled.txt"),
            "banking77" => ("BANKING77", Csv.ReadRows(Path.Combine(root, "banking77", "train.csv")), Csv.ReadRows(Path.Combine(root, "banking77", "test.csv"))),
            _ => throw new ArgumentException($"Unknown task '{name}'; choose from {string.Join(", ", All)}."),
        };
        return new TaskData(name, title, Sample(train, trainRows, 1), Sample(test, testRows, 2), train.Count, test.Count);
    }

    private static (string, List<TextRow>, List<TextRow>) Uci(string root, string title, string file)
    {
        var rows = File.ReadLines(Path.Combine(root, "uci-sentiment", file), Encoding.UTF8)
            .Select(line => line.Split('\t'))
            .Where(parts => parts.Length == 2 && parts[0].Trim().Length > 0)
            .Select(parts => new TextRow { Text = parts[0].Trim(), Label = parts[1].Trim() })
            .ToArray();
        new Random(DataSeed).Shuffle(rows);
        int trainCount = (int)Math.Round(rows.Length * 0.8);
        return (title, rows[..trainCount].ToList(), rows[trainCount..].ToList());
    }

    private static List<TextRow> ReadLabelFirst(string path, Encoding encoding) =>
        File.ReadLines(path, encoding)
            .Select(line => line.Trim())
            .Where(line => line.Length > 2 && line.IndexOf(' ') > 0)
            .Select(line => new TextRow { Label = line[..line.IndexOf(' ')], Text = line[(line.IndexOf(' ') + 1)..].Trim() })
            .Where(row => row.Text.Length > 0)
            .ToList();

    private static List<TextRow> Sample(List<TextRow> rows, int? count, int salt)
    {
        if (count is not { } n || n >= rows.Count)
            return rows;
        var copy = rows.ToArray();
        new Random(DataSeed + salt).Shuffle(copy);
        return copy[..n].ToList();
    }
}
