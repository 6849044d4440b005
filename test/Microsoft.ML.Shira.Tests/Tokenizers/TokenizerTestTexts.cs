namespace Microsoft.ML.Shira.Tests.Tokenizers;

/// <summary>Texts for comparing tokenizers with their references: hand-picked edge cases plus real sentences from the repository's datasets.</summary>
internal static class TokenizerTestTexts
{
    /// <summary>Edge cases: whitespace runs, newlines, contractions, digits, Unicode (composed and decomposed), emoji, code.</summary>
    public static readonly string[] EdgeCases =
    [
        "Hello, world! This is a test.",
        "  leading spaces,   runs   of spaces and trailing   ",
        "Numbers: 3.14159, 2024, 1,000,000, 0x1F and the 42nd time; 1234567890",
        "Punctuation!!! ??? ... --- (parens) [brackets] {braces} \"quotes\" 'single' ~tilde~ @#$%^&*",
        "Contractions: I'm, you're, it's, we'll, they've, she'd, don't, CAN'T, I'M, WE'LL, y'all",
        "Unicode: café, naïve, Zürich, 東京タワー, Москва, العربية, ελληνικά, ½ ≠ ∞, ﬁ ligature",
        "Emoji: 😀👍🏽🚀 flags 🇫🇷 and a family 👨‍👩‍👧 ❤️",
        "Line one\nLine two\n\n\tTabbed line\r\nWindows line\n   \n  \n\nend",
        "Code: for (int i = 0; i < n; i++) {\n    x += a[i] * 2;\n}\n// done\n",
        "Mixed CASE, snake_case_words, camelCaseWords, ALLCAPS and aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "Accents: e\u0301 vs é; A\u030A vs Å; zero\u200Bwidth; non\u00A0breaking; ideographic\u3000space",
        "   ",
        "\n\n\n",
        "x",
        "ends with spaces and a newline  \n",
    ];

    /// <summary>The edge cases and the first sentences of SST-2 (train) and Tiny Shakespeare.</summary>
    public static IReadOnlyList<string> All { get; } = Build();

    private static string[] Build()
    {
        var sst2 = File.ReadLines(Path.Combine(TestPaths.Data, "classification", "sst2", "stsa.binary.train")).Take(60).Select(l => l[2..]);
        string shakespeare = string.Join("\n", File.ReadLines(Path.Combine(TestPaths.Data, "generation", "tinyshakespeare.txt")).Take(300));
        var paragraphs = shakespeare.Split("\n\n").Take(40);
        return [.. EdgeCases, .. sst2, .. paragraphs];
    }
}
