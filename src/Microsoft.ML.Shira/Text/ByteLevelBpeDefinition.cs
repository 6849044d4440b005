namespace Microsoft.ML.Shira.Text;

/// <summary>A token matched verbatim in text before BPE (Hugging Face's <c>added_tokens</c>).</summary>
/// <param name="Content">The token text.</param>
/// <param name="Id">Its id.</param>
/// <param name="Special">True when decoding with skipSpecialTokens drops it.</param>
internal sealed record AddedToken(string Content, int Id, bool Special)
{
    /// <summary><c>lstrip</c>: the match swallows the whitespace before it.</summary>
    public bool LStrip { get; init; }

    /// <summary><c>rstrip</c>: the match swallows the whitespace after it.</summary>
    public bool RStrip { get; init; }

    /// <summary><c>single_word</c>: matched only when no letter, digit or underscore touches it.</summary>
    public bool SingleWord { get; init; }

    /// <summary><c>normalized</c>: matched in the normalized text rather than in the raw text (Hugging Face's default for non-special tokens).</summary>
    public bool Normalized { get; init; }
}

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

    /// <summary>Unicode normalization applied to the text between added tokens (<c>normalizer</c>), or null for none.</summary>
    public System.Text.NormalizationForm? Normalization { get; init; }

    /// <summary>
    /// The split patterns applied in turn before byte-level BPE (Hugging Face <c>Split</c> steps with <c>Isolated</c>
    /// behaviour: matches and the text between them are pieces); null means GPT-2's regex (<c>ByteLevel</c> with <c>use_regex</c>).
    /// </summary>
    public IReadOnlyList<System.Text.RegularExpressions.Regex>? Splits { get; init; }

    /// <summary><c>ignore_merges</c>: a piece that is itself in the vocabulary is one token, whatever the merges say (Llama-3).</summary>
    public bool IgnoreMerges { get; init; }

    /// <summary>The special tokens the post-processor puts around a sequence or pair, or null when it adds none.</summary>
    public SpecialTokenTemplate? Template { get; init; }

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
