namespace Microsoft.ML.Shira.Tests.MlNet;

/// <summary>A row of plain text (a TinyShakespeare speech, a story, a prompt).</summary>
public sealed class TextRow
{
    public string Text { get; set; } = "";
}

/// <summary>A prompt/response pair.</summary>
public sealed class PromptResponseRow
{
    public string Prompt { get; set; } = "";

    public string Response { get; set; } = "";
}

/// <summary>PredictionEngine / CreateEnumerable output of the text generator.</summary>
public sealed class GeneratedRow
{
    public string Text { get; set; } = "";

    public string GeneratedText { get; set; } = "";
}

/// <summary>
/// Small, fixed slices of data/generation: TinyShakespeare split into speeches at blank lines (the last 10% of the
/// speeches are the held-out part), and TinyStories stories.
/// </summary>
internal static class TextGenerationData
{
    private static readonly Lazy<string[]> Speeches = new(() => ReadBlocks("tinyshakespeare.txt"));
    private static readonly Lazy<string[]> Stories = new(() => ReadBlocks("tinystories_val.txt"));

    /// <summary>Speeches from the start of the file (training part).</summary>
    public static List<TextRow> ShakespeareTrain(int count, int skip = 0) => Rows(Speeches.Value.Take(HeldOutStart).Skip(skip).Take(count));

    /// <summary>Speeches from the held-out last 10% of the file.</summary>
    public static List<TextRow> ShakespeareHeldOut(int count) => Rows(Speeches.Value.Skip(HeldOutStart).Take(count));

    /// <summary>TinyStories paragraphs.</summary>
    public static List<TextRow> TinyStories(int count, int skip = 0) => Rows(Stories.Value.Skip(skip).Take(count));

    private static int HeldOutStart => Speeches.Value.Length - Speeches.Value.Length / 10;

    private static List<TextRow> Rows(IEnumerable<string> texts) => texts.Select(t => new TextRow { Text = t }).ToList();

    private static string[] ReadBlocks(string file) =>
        File.ReadAllText(Path.Combine(TestPaths.Data, "generation", file))
            .Replace("\r\n", "\n", StringComparison.Ordinal)
            .Split("\n\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
