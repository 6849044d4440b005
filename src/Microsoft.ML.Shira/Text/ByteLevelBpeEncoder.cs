using System.Text;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace Microsoft.ML.Shira.Text;

/// <summary>
/// The encoding pipeline of a Hugging Face byte-level BPE tokenizer, in the order of the <c>tokenizers</c> library:
/// added tokens split out of the raw text; Unicode normalization of the rest (<c>normalizer</c>); added tokens marked
/// <c>normalized</c> split out of that; the leading space (<c>add_prefix_space</c>); the split patterns (<c>Split</c>
/// steps or GPT-2's regex); then each piece through Microsoft.ML.Tokenizers' <see cref="BpeTokenizer"/> (byte-level
/// alphabet and merges), or straight to its id when <c>ignore_merges</c> is set and the piece is in the vocabulary.
/// Adds no special tokens around the sequence: that is the post-processor's (<see cref="SpecialTokenTemplate"/>).
/// </summary>
internal sealed partial class ByteLevelBpeEncoder
{
    private readonly BpeTokenizer _bpe;
    private readonly AddedTokenMatcher _raw;
    private readonly AddedTokenMatcher _normalized;
    private readonly NormalizationForm? _normalization;
    private readonly IReadOnlyList<Regex> _splits;
    private readonly Dictionary<string, int>? _vocabularyForIgnoreMerges;

    /// <summary>
    /// Builds the pipeline of <paramref name="definition"/>; <paramref name="specialTokens"/> (content → id: its added
    /// tokens plus the named special tokens) are matched in text and decoded as themselves.
    /// </summary>
    /// <exception cref="ShiraFormatException">Microsoft.ML.Tokenizers rejects the vocabulary or merges.</exception>
    public ByteLevelBpeEncoder(ByteLevelBpeDefinition definition, IReadOnlyDictionary<string, int> specialTokens, bool addPrefixSpace)
    {
        var added = definition.AddedTokens.ToDictionary(t => t.Content, StringComparer.Ordinal);
        var matched = specialTokens.Select(p => added.TryGetValue(p.Key, out var token) && token.Id == p.Value ? token : new AddedToken(p.Key, p.Value, Special: true)).ToList();
        _raw = new AddedTokenMatcher(matched.Where(t => !t.Normalized));
        _normalized = new AddedTokenMatcher(matched.Where(t => t.Normalized));
        _normalization = definition.Normalization;
        _splits = definition.Splits ?? [Gpt2Split()];
        _vocabularyForIgnoreMerges = definition.IgnoreMerges ? definition.Vocabulary : null;
        AddPrefixSpace = addPrefixSpace;
        var options = new BpeOptions(definition.Vocabulary)
        {
            Merges = definition.Merges.Select(m => m.Left + " " + m.Right),
            PreTokenizer = WholeText.Instance,
            SpecialTokens = specialTokens.Count > 0 ? specialTokens : null,
            ByteLevel = true,
        };
        try
        {
            _bpe = BpeTokenizer.Create(options);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            throw new ShiraFormatException($"Tokenizer {definition.Source} is not a valid byte-level BPE: {ex.Message}", ex);
        }
    }

    /// <summary>The underlying Microsoft.ML.Tokenizers BPE model (byte-level alphabet, merges, special tokens for decoding).</summary>
    public BpeTokenizer Bpe => _bpe;

    /// <summary>Whether a space is prepended to each plain segment that does not start with one.</summary>
    public bool AddPrefixSpace { get; }

    /// <summary>The ids of <paramref name="text"/>, without the post-processor's special tokens; lone surrogates count as U+FFFD.</summary>
    public List<int> Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        text = WellFormedText.Repair(text);
        var ids = new List<int>();
        foreach (var (start, length, token) in _raw.Split(text))
        {
            if (token is not null)
            {
                ids.Add(token.Id);
                continue;
            }
            string segment = text.Substring(start, length);
            if (_normalization is { } form)
                segment = segment.Normalize(form);
            foreach (var (innerStart, innerLength, innerToken) in _normalized.Split(segment))
            {
                if (innerToken is not null)
                    ids.Add(innerToken.Id);
                else
                    EncodePlain(segment.Substring(innerStart, innerLength), ids);
            }
        }
        return ids;
    }

    /// <summary>Decodes ids to text; special and added tokens come out as their content.</summary>
    public string Decode(IEnumerable<int> ids) => _bpe.Decode(ids, considerSpecialTokens: true);

    private void EncodePlain(string segment, List<int> ids)
    {
        if (AddPrefixSpace && segment.Length > 0 && segment[0] != ' ')
            segment = " " + segment;
        List<string> pieces = [segment];
        foreach (var split in _splits)
        {
            var next = new List<string>();
            foreach (string piece in pieces)
                SplitIsolated(split, piece, next);
            pieces = next;
        }
        foreach (string piece in pieces)
        {
            if (_vocabularyForIgnoreMerges is { } vocabulary && vocabulary.TryGetValue(ToByteLevel(piece), out int id))
                ids.Add(id);
            else
                ids.AddRange(_bpe.EncodeToIds(piece, considerPreTokenization: true, considerNormalization: false));
        }
    }

    /// <summary>Hugging Face's <c>Isolated</c> split: every match is a piece, and so is the text between matches.</summary>
    private static void SplitIsolated(Regex regex, string text, List<string> pieces)
    {
        int done = 0;
        foreach (var match in regex.EnumerateMatches(text))
        {
            if (match.Length == 0)
                continue;
            if (match.Index > done)
                pieces.Add(text[done..match.Index]);
            pieces.Add(text.Substring(match.Index, match.Length));
            done = match.Index + match.Length;
        }
        if (done < text.Length)
            pieces.Add(text[done..]);
    }

    private static string ToByteLevel(string piece)
    {
        var chars = ByteLevelAlphabet.CharOfByte;
        var bytes = Encoding.UTF8.GetBytes(piece);
        return string.Create(bytes.Length, bytes, (span, b) =>
        {
            for (int i = 0; i < b.Length; i++)
                span[i] = chars[b[i]];
        });
    }

    /// <summary>GPT-2's pre-tokenization: contractions, letters, digits, other symbols, each with one optional leading space; runs of whitespace.</summary>
    [GeneratedRegex(@"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+", RegexOptions.CultureInvariant)]
    internal static partial Regex Gpt2Split();

    /// <summary>Hands the whole text to the BPE model as one word: the pieces are already split.</summary>
    private sealed class WholeText : PreTokenizer
    {
        public static readonly WholeText Instance = new();

        public override IEnumerable<(int Offset, int Length)> PreTokenize(string text) =>
            string.IsNullOrEmpty(text) ? [] : [(0, text.Length)];

        public override IEnumerable<(int Offset, int Length)> PreTokenize(ReadOnlySpan<char> text) =>
            text.IsEmpty ? [] : [(0, text.Length)];
    }
}
