using Microsoft.ML.Tokenizers;

namespace Microsoft.ML.Shira.Text;

/// <summary>
/// A byte-level BPE tokenizer (GPT-2 and its descendants), read from Hugging Face's <c>vocab.json</c> + <c>merges.txt</c>
/// or from <c>tokenizer.json</c> (GPT-2, Qwen2 / Qwen2.5 / Qwen3, Llama-3 pipelines; see <see cref="HuggingFaceTokenizerJson"/>),
/// encoded by <see cref="ByteLevelBpeEncoder"/> over Microsoft.ML.Tokenizers' <see cref="BpeTokenizer"/>. Encoding
/// matches Hugging Face's tokenizer: no BOS unless <c>add_bos_token</c> is set or the post-processor's template adds
/// one; special tokens (<c>&lt;|endoftext|&gt;</c>, <c>added_tokens</c>) written in the text are encoded as their ids.
/// </summary>
internal sealed partial class ByteLevelBpeCausalLMTokenizer : ICausalLMTokenizer
{
    private readonly ByteLevelBpeEncoder _encoder;
    private readonly SpecialTokenTemplate? _template;
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
        _template = definition.Template;
        if (_template is not null && options.BosToken is null && _template.Prefix.Count > 0)
            BosTokenId = _template.Prefix[0];
        AddBosToken = _template is not null ? _template.Prefix.Count > 0 : options.AddBosToken;
        AddPrefixSpace = options.AddPrefixSpace ?? definition.AddPrefixSpace;
        VocabularySize = Math.Max(definition.Vocabulary.Values.Max(), special.Count == 0 ? 0 : special.Values.Max()) + 1;
        _encoder = new ByteLevelBpeEncoder(definition, special, AddPrefixSpace);
    }

    /// <summary>The file(s) the tokenizer was read from (for messages).</summary>
    public string Source { get; }

    /// <summary>The underlying Microsoft.ML.Tokenizers BPE model.</summary>
    public BpeTokenizer Inner => _encoder.Bpe;

    /// <summary>Tokens matched verbatim in text (added tokens and the named special tokens), with their ids.</summary>
    public IReadOnlyDictionary<string, int> SpecialTokens { get; }

    /// <summary>
    /// Whether <see cref="Encode"/> prepends BOS to non-empty text: the post-processor's template when
    /// <c>tokenizer.json</c> has one (Llama-3's <c>TemplateProcessing</c>), else <c>add_bos_token</c> (false for GPT-2).
    /// </summary>
    public bool AddBosToken { get; }

    /// <summary>
    /// Whether a space is prepended to text that does not start with one (<c>add_prefix_space</c>); like Hugging Face's
    /// fast tokenizers, to each stretch of text between added tokens.
    /// </summary>
    public bool AddPrefixSpace { get; }

    /// <inheritdoc />
    public int VocabularySize { get; }

    /// <summary>The id of <c>bos_token</c> (GPT-2: <c>&lt;|endoftext|&gt;</c>), or null.</summary>
    public int? BosTokenId { get; }

    /// <inheritdoc />
    public int? EosTokenId { get; }

    /// <summary>
    /// Encodes text. With <paramref name="addBos"/>, the post-processor's special tokens are added when
    /// <c>tokenizer.json</c> has a template (Llama-3: <c>&lt;|begin_of_text|&gt;</c> first), else BOS comes first when
    /// <see cref="AddBosToken"/> is set; in both cases BOS alone stands for empty text (so that a prompt is never empty,
    /// as Hugging Face generation starts from <c>bos_token_id</c>). GPT-2 and Qwen2 text is otherwise encoded without
    /// BOS, like Hugging Face's tokenizer.
    /// </summary>
    public IReadOnlyList<int> Encode(string text, bool addBos = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = _encoder.Encode(text);
        if (!addBos)
            return ids.ToArray();
        if (_template is not null && ids.Count > 0)
            return _template.Apply(ids);
        if (BosTokenId is int bos && (AddBosToken || ids.Count == 0))
            return ids.Prepend(bos).ToArray();
        return ids.ToArray();
    }

    /// <inheritdoc />
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = true)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var kept = skipSpecialTokens ? ids.Where(id => !_specialIds.Contains(id)) : ids;
        return _encoder.Decode(kept);
    }

    /// <summary>The source of the tokenizer.</summary>
    public override string ToString() => Source;
}
