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

    private SentencePieceCausalLMTokenizer(SentencePieceTokenizer tokenizer, string source)
    {
        _tokenizer = tokenizer;
        Source = source;
    }

    /// <summary>Where the model was read from (for messages).</summary>
    public string Source { get; }

    /// <summary>The underlying Microsoft.ML.Tokenizers tokenizer.</summary>
    public SentencePieceTokenizer Inner => _tokenizer;

    /// <inheritdoc />
    public int VocabularySize => _tokenizer.Vocabulary.Count;

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

    /// <summary>Reads SentencePiece model bytes; <paramref name="source"/> names them in errors.</summary>
    /// <exception cref="ShiraFormatException">Not a SentencePiece model.</exception>
    public static SentencePieceCausalLMTokenizer FromBytes(byte[] modelBytes, string source)
    {
        ArgumentNullException.ThrowIfNull(modelBytes);
        try
        {
            using var stream = new MemoryStream(modelBytes, writable: false);
            var tokenizer = LlamaTokenizer.Create(stream, addBeginOfSentence: true, addEndOfSentence: false);
            return new SentencePieceCausalLMTokenizer(tokenizer, source);
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
        var ids = _tokenizer.EncodeToIds(text, addBeginningOfSentence: addBos, addEndOfSentence: false);
        // Microsoft.ML.Tokenizers returns no ids at all for empty text, even when asked for BOS.
        if (addBos && ids.Count == 0)
            return new[] { _tokenizer.BeginningOfSentenceId };
        return ids.ToArray();
    }

    /// <inheritdoc />
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = true)
    {
        ArgumentNullException.ThrowIfNull(ids);
        return _tokenizer.Decode(ids, considerSpecialTokens: !skipSpecialTokens);
    }

    /// <summary>The source of the model.</summary>
    public override string ToString() => Source;
}
