using Microsoft.ML.Tokenizers;

namespace Microsoft.ML.Shira.Text;

/// <summary>
/// A SentencePiece tokenizer read from a <c>tokenizer.model</c> protobuf (LLaMA / Llama-2 style), backed by
/// Microsoft.ML.Tokenizers' <see cref="LlamaTokenizer"/>. Encoding adds BOS and no EOS, like Hugging Face's
/// <c>LlamaTokenizer</c> with <c>add_bos_token</c>.
/// </summary>
internal sealed class SentencePieceCausalLMTokenizer : ICausalLMTokenizer
{
    private readonly SentencePieceTokenizer _tokenizer;
    private readonly AddedTokenMatcher _added;
    private readonly bool _prefixEverySegment;
    private readonly Dictionary<int, AddedToken> _addedById;

    private SentencePieceCausalLMTokenizer(SentencePieceTokenizer tokenizer, string source, IReadOnlyList<AddedToken> added, bool prefixEverySegment)
    {
        _tokenizer = tokenizer;
        Source = source;
        _added = new AddedTokenMatcher(added);
        _prefixEverySegment = prefixEverySegment;
        _addedById = added.GroupBy(t => t.Id).ToDictionary(g => g.Key, g => g.Last());
        AddedTokens = added;
        _pieceOfId = new(() => _tokenizer.Vocabulary.GroupBy(p => p.Value).ToDictionary(g => g.Key, g => g.First().Key));
    }

    private readonly Lazy<Dictionary<int, string>> _pieceOfId;

    /// <summary>Tokens matched verbatim in text before SentencePiece (<c>added_tokens</c> of <c>tokenizer.json</c> or <c>added_tokens.json</c>).</summary>
    public IReadOnlyList<AddedToken> AddedTokens { get; }

    /// <summary>Where the model was read from (for messages).</summary>
    public string Source { get; }

    /// <summary>The underlying Microsoft.ML.Tokenizers tokenizer.</summary>
    public SentencePieceTokenizer Inner => _tokenizer;

    /// <inheritdoc />
    public int VocabularySize => Math.Max(_tokenizer.Vocabulary.Count, _addedById.Count == 0 ? 0 : _addedById.Keys.Max() + 1);

    /// <inheritdoc />
    public int? BosTokenId => _tokenizer.BeginningOfSentenceId;

    /// <inheritdoc />
    public int? EosTokenId => _tokenizer.EndOfSentenceId;

    /// <summary>Reads a <c>tokenizer.model</c> file.</summary>
    /// <exception cref="ShiraFormatException">The file is missing or not a SentencePiece model.</exception>
    public static SentencePieceCausalLMTokenizer FromFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
            throw new ShiraFormatException($"Tokenizer file '{path}' does not exist.");
        return FromBytes(File.ReadAllBytes(path), path);
    }

    /// <summary>
    /// Reads SentencePiece model bytes; <paramref name="source"/> names them in errors. <paramref name="addedTokens"/>
    /// are matched in text first and encoded as their ids (Hugging Face's <c>added_tokens</c>, with <c>lstrip</c> /
    /// <c>rstrip</c>); the text between them is encoded by SentencePiece with the <c>▁</c> prefix at the start of the
    /// text only, or, with <paramref name="prefixEverySegment"/> (Hugging Face's legacy Llama / Mistral
    /// <c>tokenizer.json</c>), at the start of every stretch.
    /// </summary>
    /// <exception cref="ShiraFormatException">Not a SentencePiece model.</exception>
    public static SentencePieceCausalLMTokenizer FromBytes(byte[] modelBytes, string source, IReadOnlyList<AddedToken>? addedTokens = null, bool prefixEverySegment = false)
    {
        ArgumentNullException.ThrowIfNull(modelBytes);
        addedTokens ??= [];
        try
        {
            using var stream = new MemoryStream(modelBytes, writable: false);
            var special = addedTokens.Count == 0 ? null : addedTokens.GroupBy(t => t.Content).ToDictionary(g => g.Key, g => g.Last().Id, StringComparer.Ordinal);
            var tokenizer = LlamaTokenizer.Create(stream, addBeginOfSentence: true, addEndOfSentence: false, specialTokens: special);
            return new SentencePieceCausalLMTokenizer(tokenizer, source, addedTokens, prefixEverySegment);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new ShiraFormatException($"Tokenizer file '{source}' is not a valid SentencePiece model: {ex.Message}", ex);
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<int> Encode(string text, bool addBos = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = _added.IsEmpty ? _tokenizer.EncodeToIds(text, addBeginningOfSentence: addBos, addEndOfSentence: false) : EncodeWithAddedTokens(text, addBos);
        // Microsoft.ML.Tokenizers returns no ids at all for empty text, even when asked for BOS.
        if (addBos && ids.Count == 0)
            return new[] { _tokenizer.BeginningOfSentenceId };
        return ids.ToArray();
    }

    /// <summary>Splits the added tokens out; the text between them goes to SentencePiece (see <see cref="FromBytes"/>).</summary>
    private List<int> EncodeWithAddedTokens(string text, bool addBos)
    {
        var ids = new List<int>();
        if (addBos)
            ids.Add(_tokenizer.BeginningOfSentenceId);
        var segments = _added.Split(text);
        if (!_prefixEverySegment)
        {
            // One SentencePiece call over the text with each match (and the whitespace it strips) replaced by the token:
            // Microsoft.ML.Tokenizers splits the special tokens out and prefixes only the start, as Hugging Face does.
            var rebuilt = new System.Text.StringBuilder(text.Length);
            foreach (var (start, length, token) in segments)
                rebuilt.Append(token is null ? text.AsSpan(start, length) : token.Content);
            ids.AddRange(_tokenizer.EncodeToIds(rebuilt.ToString(), addBeginningOfSentence: false, addEndOfSentence: false));
            return ids;
        }
        foreach (var (start, length, token) in segments)
        {
            if (token is not null)
                ids.Add(token.Id);
            else
                ids.AddRange(_tokenizer.EncodeToIds(text.Substring(start, length), addBeginningOfSentence: false, addEndOfSentence: false));
        }
        return ids;
    }

    /// <inheritdoc />
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = true)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (_addedById.Count == 0)
            return _tokenizer.Decode(ids, considerSpecialTokens: !skipSpecialTokens);
        // Microsoft.ML.Tokenizers drops added tokens when decoding; write them out (unless skipped) between decoded runs.
        var text = new System.Text.StringBuilder();
        var run = new List<int>();
        void Flush()
        {
            // SentencePiece drops the ▁ of a run's first piece (the start-of-text prefix); after an added token it is a real space.
            if (text.Length > 0 && run.Count > 0 && _pieceOfId.Value.TryGetValue(run[0], out string? piece) && piece.StartsWith('\u2581'))
                text.Append(' ');
            text.Append(_tokenizer.Decode(run, considerSpecialTokens: !skipSpecialTokens));
            run.Clear();
        }
        foreach (int id in ids)
        {
            if (_addedById.TryGetValue(id, out var token) && !_tokenizer.Vocabulary.ContainsKey(token.Content))
            {
                Flush();
                if (!(skipSpecialTokens && token.Special))
                    text.Append(token.Content);
            }
            else
            {
                run.Add(id);
            }
        }
        Flush();
        return text.ToString();
    }

    /// <summary>The source of the model.</summary>
    public override string ToString() => Source;
}
