namespace Microsoft.ML.Shira.Text;

/// <summary>A token matched verbatim in text before BPE (Hugging Face's <c>added_tokens</c>).</summary>
/// <param name="Content">The token text.</param>
/// <param name="Id">Its id.</param>
/// <param name="Special">True when decoding with skipSpecialTokens drops it.</param>
internal sealed record AddedToken(string Content, int Id, bool Special);

/// <summary>A parsed byte-level BPE model: vocabulary, ordered merges, added tokens, and where they came from.</summary>
internal sealed class ByteLevelBpeDefinition
{
    public ByteLevelBpeDefinition(string source, Dictionary<string, int> vocabulary, List<(string Left, string Right)> merges,
        IReadOnlyList<AddedToken> addedTokens, bool addPrefixSpace, Func<int, string> describeMerge)
    {
        Source = source;
        Vocabulary = vocabulary;
        Merges = merges;
        AddedTokens = addedTokens;
        AddPrefixSpace = addPrefixSpace;
        Validate(describeMerge);
    }

    /// <summary>The file(s) read, quoted, for messages.</summary>
    public string Source { get; }

    /// <summary>Token (in the byte-level alphabet) → id.</summary>
    public Dictionary<string, int> Vocabulary { get; }

    /// <summary>Merges by priority (first = applied first).</summary>
    public List<(string Left, string Right)> Merges { get; }

    /// <summary>Tokens matched verbatim.</summary>
    public IReadOnlyList<AddedToken> AddedTokens { get; }

    /// <summary>Whether the pre-tokenizer adds a leading space.</summary>
    public bool AddPrefixSpace { get; }

    /// <summary>Checks that every byte has a token and that each merge combines known tokens into a known token.</summary>
    private void Validate(Func<int, string> describeMerge)
    {
        for (int b = 0; b < 256; b++)
        {
            string symbol = ByteLevelAlphabet.CharOfByte[b].ToString();
            if (!Vocabulary.ContainsKey(symbol))
                throw new ShiraFormatException(
                    $"Vocabulary of {Source} has no token for byte 0x{b:X2} ('{symbol}'); a byte-level BPE vocabulary must hold all 256 byte symbols.");
        }
        for (int i = 0; i < Merges.Count; i++)
        {
            var (left, right) = Merges[i];
            foreach (string token in new[] { left, right, left + right })
            {
                if (!Vocabulary.ContainsKey(token))
                    throw new ShiraFormatException($"{describeMerge(i)} merges '{left}' and '{right}', but the vocabulary has no token '{token}'.");
            }
        }
    }
}
