namespace Microsoft.ML.Shira.Text;

/// <summary>
/// GPT-2's byte-level alphabet: every byte is written as one printable character (printable Latin-1 bytes as themselves,
/// the others — control characters, space, … — as U+0100 onwards, so that a space becomes <c>Ġ</c>). Vocabulary and
/// merges files of byte-level BPE tokenizers spell tokens in it.
/// </summary>
internal static class ByteLevelAlphabet
{
    /// <summary>The character of each byte value.</summary>
    public static IReadOnlyList<char> CharOfByte { get; } = Build();

    private static char[] Build()
    {
        var chars = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++)
        {
            bool printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            chars[b] = printable ? (char)b : (char)next++;
        }
        return chars;
    }
}
