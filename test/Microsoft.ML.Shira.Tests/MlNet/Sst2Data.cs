namespace Microsoft.ML.Shira.Tests.MlNet;

/// <summary>A row of SST-2 (stsa.binary: <c>label text</c>) with a string label for MapValueToKey.</summary>
public sealed class SentimentRow
{
    public string Sentence1 { get; set; } = "";

    public string Label { get; set; } = "";
}

/// <summary>A row of SST-2 with a Boolean label for binary classification.</summary>
public sealed class BinarySentimentRow
{
    public string Sentence1 { get; set; } = "";

    public bool Label { get; set; }
}

/// <summary>Small, fixed subsets of the SST-2 files in data/classification/sst2.</summary>
internal static class Sst2Data
{
    public static List<SentimentRow> Read(string split, int count, int skip = 0) =>
        File.ReadLines(Path.Combine(TestPaths.Data, "classification", "sst2", "stsa.binary." + split))
            .Where(line => line.Length > 2)
            .Skip(skip)
            .Take(count)
            .Select(line => new SentimentRow { Label = line[..1] == "1" ? "positive" : "negative", Sentence1 = line[2..] })
            .ToList();

    public static List<BinarySentimentRow> ReadBinary(string split, int count, int skip = 0) =>
        Read(split, count, skip).Select(r => new BinarySentimentRow { Sentence1 = r.Sentence1, Label = r.Label == "positive" }).ToList();
}
