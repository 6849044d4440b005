using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace Microsoft.ML.Shira.Text;

/// <summary>
/// A byte-level BPE tokenizer (GPT-2 and its descendants), read from Hugging Face's <c>vocab.json</c> + <c>merges.txt</c>
/// or from <c>tokenizer.json</c>, and backed by Microsoft.ML.Tokenizers' <see cref="BpeTokenizer"/> with GPT-2's split
/// regex. Encoding matches Hugging Face's GPT-2 tokenizer: no BOS unless <c>add_bos_token</c> is set; special tokens
/// (<c>&lt;|endoftext|&gt;</c>, <c>added_tokens</c>) written in the text are encoded as their ids.
/// </summary>
internal sealed partial class ByteLevelBpeCausalLMTokenizer : ICausalLMTokenizer
{
    private readonly BpeTokenizer _tokenizer;
    private readonly HashSet<int> _specialIds;

    private ByteLevelBpeCausalLMTokenizer(ByteLevelBpeDefinition definition, ByteLevelBpeTokenizerOptions options)
    {
        Source = definition.Source;
        var special = new Dictionary<string, int>(StringComparer.Ordinal);
        _specialIds = new HashSet<int>();
        foreach (var token in definition.AddedTokens)
        {
            special[token.Content] = token.Id;
            if (token.Special)
                _specialIds.Add(token.Id);
        }
        int? Resolve(string? token, string key, bool required)
        {
            if (token is null)
                return null;
            if (special.TryGetValue(token, out int id) || definition.Vocabulary.TryGetValue(token, out id))
            {
                special[token] = id;
                _specialIds.Add(id);
                return id;
            }
            return required ? throw new ShiraFormatException($"Tokenizer {Source}: {key} '{token}' is neither in the vocabulary nor an added token.") : null;
        }
        string endOfText = ByteLevelBpeTokenizerOptions.EndOfText;
        BosTokenId = Resolve(options.BosToken ?? endOfText, "bos_token", options.BosToken is not null);
        EosTokenId = Resolve(options.EosToken ?? endOfText, "eos_token", options.EosToken is not null);
        Resolve(options.UnkToken, "unk_token", required: true);
        Resolve(options.PadToken, "pad_token", required: true);
        SpecialTokens = special;
        AddBosToken = options.AddBosToken;
        AddPrefixSpace = options.AddPrefixSpace ?? definition.AddPrefixSpace;
        VocabularySize = Math.Max(definition.Vocabulary.Values.Max(), special.Count == 0 ? 0 : special.Values.Max()) + 1;

        var bpeOptions = new BpeOptions(definition.Vocabulary)
        {
            Merges = definition.Merges.Select(m => m.Left + " " + m.Right),
            PreTokenizer = new RegexPreTokenizer(Gpt2Split(), special.Count > 0 ? special : null),
            SpecialTokens = special.Count > 0 ? special : null,
            ByteLevel = true,
        };
        try
        {
            _tokenizer = BpeTokenizer.Create(bpeOptions);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            throw new ShiraFormatException($"Tokenizer {Source} is not a valid byte-level BPE: {ex.Message}", ex);
        }
    }

    /// <summary>The file(s) the tokenizer was read from (for messages).</summary>
    public string Source { get; }

    /// <summary>The underlying Microsoft.ML.Tokenizers tokenizer.</summary>
    public BpeTokenizer Inner => _tokenizer;

    /// <summary>Tokens matched verbatim in text (added tokens and the named special tokens), with their ids.</summary>
    public IReadOnlyDictionary<string, int> SpecialTokens { get; }

    /// <summary>Whether <see cref="Encode"/> prepends BOS to non-empty text (<c>add_bos_token</c>; false for GPT-2).</summary>
    public bool AddBosToken { get; }

    /// <summary>Whether a space is prepended to text that does not start with one (<c>add_prefix_space</c>).</summary>
    public bool AddPrefixSpace { get; }

    /// <inheritdoc />
    public int VocabularySize { get; }

    /// <summary>The id of <c>bos_token</c> (GPT-2: <c>&lt;|endoftext|&gt;</c>), or null.</summary>
    public int? BosTokenId { get; }

    /// <inheritdoc />
    public int? EosTokenId { get; }

    /// <summary>
    /// Encodes text. With <paramref name="addBos"/>, BOS comes first when <see cref="AddBosToken"/> is set, and for empty
    /// text (so that a prompt is never empty, as Hugging Face generation starts from <c>bos_token_id</c>); GPT-2 text is
    /// otherwise encoded without BOS, like Hugging Face's tokenizer.
    /// </summary>
    public IReadOnlyList<int> Encode(string text, bool addBos = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        string input = AddPrefixSpace && text.Length > 0 && text[0] != ' ' ? " " + text : text;
        var ids = _tokenizer.EncodeToIds(input);
        if (addBos && BosTokenId is int bos && (AddBosToken || ids.Count == 0))
            return ids.Prepend(bos).ToArray();
        return ids.ToArray();
    }

    /// <inheritdoc />
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = true)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var kept = skipSpecialTokens ? ids.Where(id => !_specialIds.Contains(id)) : ids;
        return _tokenizer.Decode(kept, considerSpecialTokens: true);
    }

    /// <summary>The source of the tokenizer.</summary>
    public override string ToString() => Source;

    /// <summary>GPT-2's pre-tokenization: contractions, letters, digits, other symbols, each with one optional leading space; runs of whitespace.</summary>
    [GeneratedRegex(@"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+", RegexOptions.CultureInvariant)]
    private static partial Regex Gpt2Split();
}
