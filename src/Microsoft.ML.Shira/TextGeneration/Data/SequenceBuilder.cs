using Microsoft.ML.Shira.Text;
using Microsoft.ML.Shira.TextGeneration.Training;

namespace Microsoft.ML.Shira.TextGeneration.Data;

/// <summary>
/// Turns texts into <see cref="TokenSequence"/>s the way generation sees them. Plain text: <c>BOS text [EOS]</c>, split
/// into windows of at most <see cref="MaxLength"/> tokens, each starting with BOS. Prompt/response:
/// <c>Encode(prompt, BOS) Encode(response) [EOS]</c>, exactly the prompt ids generation conditions on, followed by
/// the response; only the response tokens are targets, and the end of a too-long response is cut.
/// </summary>
internal sealed class SequenceBuilder
{
    private readonly ICausalLMTokenizer _tokenizer;
    private readonly int[] _bos;
    private readonly int? _eos;

    /// <param name="tokenizer">The model's tokenizer.</param>
    /// <param name="maxLength">Longest sequence in tokens (at least 2).</param>
    /// <param name="eos">Id appended after each text or response, or null.</param>
    public SequenceBuilder(ICausalLMTokenizer tokenizer, int maxLength, int? eos)
    {
        _tokenizer = tokenizer;
        MaxLength = maxLength;
        _eos = eos;
        // The tokenizer's own convention: does encoding with addBos put BOS in front of ordinary text?
        var probe = tokenizer.Encode("a", addBos: true);
        _bos = tokenizer.BosTokenId is int bos && probe.Count > 0 && probe[0] == bos ? [bos] : [];
    }

    /// <summary>Longest sequence in tokens.</summary>
    public int MaxLength { get; }

    /// <summary>The id appended after each text or response, or null.</summary>
    public int? EndOfSequenceId => _eos;

    /// <summary>The tokenizer texts are encoded with.</summary>
    public ICausalLMTokenizer Tokenizer => _tokenizer;

    /// <summary>The windows of a plain text (none when it has no target token).</summary>
    public IEnumerable<TokenSequence> FromText(string text)
    {
        var body = _tokenizer.Encode(text, addBos: false).ToList();
        if (_eos is int eos)
            body.Add(eos);
        int room = MaxLength - _bos.Length;
        for (int start = 0; start < body.Count; start += room)
        {
            int count = Math.Min(room, body.Count - start);
            int[] ids = [.. _bos, .. body.GetRange(start, count)];
            if (ids.Length >= 2)
                yield return new TokenSequence(ids, 1);
        }
    }

    /// <summary>
    /// The sequence of a prompt/response pair, or null when the prompt leaves no room for a response token;
    /// <paramref name="truncated"/> tells whether the end of the response was cut.
    /// </summary>
    public TokenSequence? FromPair(string prompt, string response, out bool truncated)
    {
        truncated = false;
        var promptIds = _tokenizer.Encode(prompt, addBos: true);
        if (promptIds.Count == 0)
            promptIds = _bos.Length > 0 ? _bos : throw new InvalidOperationException("The tokenizer encodes an empty prompt to no token and has no BOS; give a non-empty prompt.");
        if (promptIds.Count >= MaxLength)
            return null;
        var responseIds = _tokenizer.Encode(response, addBos: false).ToList();
        if (_eos is int eos)
            responseIds.Add(eos);
        int take = Math.Min(responseIds.Count, MaxLength - promptIds.Count);
        truncated = take < responseIds.Count;
        if (take == 0)
            return null;
        return new TokenSequence([.. promptIds, .. responseIds.GetRange(0, take)], promptIds.Count);
    }
}
