namespace Microsoft.ML.Shira.Text;

/// <summary>
/// The special-token settings of a byte-level BPE tokenizer that Hugging Face keeps in <c>tokenizer_config.json</c>
/// rather than in the vocabulary files. The defaults are GPT-2's.
/// </summary>
internal sealed partial record ByteLevelBpeTokenizerOptions
{
    /// <summary>Name of GPT-2's end-of-text token, its default BOS and EOS.</summary>
    public const string EndOfText = "<|endoftext|>";

    /// <summary><c>bos_token</c>; null means <see cref="EndOfText"/> when the vocabulary has it.</summary>
    public string? BosToken { get; init; }

    /// <summary><c>eos_token</c>; null means <see cref="EndOfText"/> when the vocabulary has it.</summary>
    public string? EosToken { get; init; }

    /// <summary><c>unk_token</c>, treated as a special token for decoding; byte-level BPE never produces it.</summary>
    public string? UnkToken { get; init; }

    /// <summary><c>pad_token</c>, treated as a special token for decoding.</summary>
    public string? PadToken { get; init; }

    /// <summary><c>add_bos_token</c>: whether encoding prepends BOS (false for GPT-2, as in Hugging Face).</summary>
    public bool AddBosToken { get; init; }

    /// <summary>
    /// <c>add_prefix_space</c>: prepend a space to text that does not start with one, so the first word is encoded like
    /// the others. Null keeps the setting of <c>tokenizer.json</c> (false for vocab/merges files).
    /// </summary>
    public bool? AddPrefixSpace { get; init; }
}
