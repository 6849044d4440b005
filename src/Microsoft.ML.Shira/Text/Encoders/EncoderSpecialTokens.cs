namespace Microsoft.ML.Shira.Text.Encoders;

/// <summary>
/// How an encoder frames its input: <c>Start a End</c> for one text, and for a pair <c>Start a End b End</c> with
/// <see cref="PairSeparators"/> <c>End</c> tokens between the texts (BERT: <c>[CLS] a [SEP] b [SEP]</c>, one;
/// RoBERTa: <c>&lt;s&gt; a &lt;/s&gt;&lt;/s&gt; b &lt;/s&gt;</c>, two).
/// </summary>
/// <param name="Start">Id of the first token (<c>[CLS]</c>, <c>&lt;s&gt;</c>).</param>
/// <param name="End">Id of the separator (<c>[SEP]</c>, <c>&lt;/s&gt;</c>).</param>
/// <param name="Pad">Id written after the end of shorter rows.</param>
/// <param name="PairSeparators">Separators between the two texts of a pair.</param>
/// <param name="SecondSegmentTypeOne">Whether the second text of a pair has <c>token_type_ids</c> 1 (BERT) rather than 0 (RoBERTa).</param>
internal sealed record EncoderSpecialTokens(int Start, int End, int Pad, int PairSeparators, bool SecondSegmentTypeOne)
{
    /// <summary>Special tokens around one text.</summary>
    public int SingleOverhead => 2;

    /// <summary>Special tokens around a pair.</summary>
    public int PairOverhead => 2 + PairSeparators;
}
