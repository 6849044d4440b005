namespace Microsoft.ML.Shira.Samples.Generation;

/// <summary>One speech of TinyShakespeare (speaker line and verse), the unit the sample trains and evaluates on.</summary>
public sealed class Speech
{
    /// <summary>The speech, e.g. "ROMEO:\nIs the day so young?".</summary>
    public string Text { get; set; } = "";
}

/// <summary>
/// TinyShakespeare (data/generation/tinyshakespeare.txt) split into speeches at blank lines. The last 10% of the
/// speeches (the end of the last plays) are held out for perplexity; training and validation come from the rest.
/// </summary>
internal static class ShakespeareData
{
    public static IReadOnlyList<Speech> Read(string path) =>
        File.ReadAllText(path)
            .Replace("\r\n", "\n", StringComparison.Ordinal)
            .Split("\n\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(text => new Speech { Text = text })
            .ToList();

    /// <summary>Training, validation and held-out test speeches.</summary>
    public static (List<Speech> Train, List<Speech> Validation, List<Speech> Test) Split(IReadOnlyList<Speech> speeches, int train, int validation, int test)
    {
        int heldOut = speeches.Count - speeches.Count / 10;
        if (train + validation > heldOut)
            throw new ArgumentException($"Only {heldOut} speeches precede the held-out part; asked for {train} + {validation}.");
        return (
            speeches.Take(train).ToList(),
            speeches.Skip(heldOut - validation).Take(validation).ToList(),
            speeches.Skip(heldOut).Take(test).ToList());
    }

    /// <summary>Finds the data folder by walking up from the executable to the repository root.</summary>
    public static string FindFile(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(candidate))
                return candidate;
        }
        throw new FileNotFoundException($"Cannot find {relative} above {AppContext.BaseDirectory}; run the sample from the repository.");
    }
}
