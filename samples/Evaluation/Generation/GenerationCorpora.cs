namespace Microsoft.ML.Shira.Evaluation.Generation;

/// <summary>One text as ML.NET loads it (the generator trains on the <c>Text</c> column).</summary>
internal sealed class PlainText
{
    public string Text { get; set; } = "";
}

/// <summary>One corpus split into training, validation and held-out test texts.</summary>
internal sealed record Corpus(string Name, string Title, List<PlainText> Train, List<PlainText> Validation, List<PlainText> Test, int Available);

/// <summary>
/// The two "concepts" of the generation experiment, both from data/generation: TinyShakespeare speeches and TinyStories
/// paragraphs (blocks separated by blank lines). The last 10% of each file is the held-out test part; validation texts
/// come just before it and training texts from the start, so the three never overlap.
/// </summary>
internal static class GenerationCorpora
{
    public static Corpus Shakespeare(string dataDirectory, GenerationSettings settings) =>
        Load(Path.Combine(dataDirectory, "generation", "tinyshakespeare.txt"), "shakespeare", "TinyShakespeare", settings);

    public static Corpus TinyStories(string dataDirectory, GenerationSettings settings) =>
        Load(Path.Combine(dataDirectory, "generation", "tinystories_val.txt"), "tinystories", "TinyStories", settings);

    private static Corpus Load(string path, string name, string title, GenerationSettings settings)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"{title} is missing: {path}. Run from the repository or pass --data.", path);
        var blocks = File.ReadAllText(path)
            .Replace("\r\n", "\n", StringComparison.Ordinal)
            .Split("\n\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        int heldOut = blocks.Length - blocks.Length / 10;
        if (settings.TrainTexts + settings.ValidationTexts > heldOut)
            throw new ArgumentException($"{title} has {heldOut} texts before its held-out part; asked for {settings.TrainTexts} + {settings.ValidationTexts}.");
        static List<PlainText> Rows(IEnumerable<string> texts) => texts.Select(t => new PlainText { Text = t }).ToList();
        return new Corpus(name, title,
            Rows(blocks.Take(settings.TrainTexts)),
            Rows(blocks.Skip(heldOut - settings.ValidationTexts).Take(settings.ValidationTexts)),
            Rows(blocks.Skip(heldOut).Take(settings.TestTexts)),
            blocks.Length);
    }
}
