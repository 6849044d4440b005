namespace Microsoft.ML.Shira.Text;

/// <summary>
/// The ids a Hugging Face post-processor (<c>TemplateProcessing</c>, <c>RobertaProcessing</c>, <c>BertProcessing</c>)
/// puts around one sequence, <c>Prefix A Suffix</c>, and around a pair, <c>PairPrefix A PairMiddle B PairSuffix</c>.
/// </summary>
/// <param name="Prefix">Before a single sequence (Llama-3: <c>&lt;|begin_of_text|&gt;</c>; RoBERTa: <c>&lt;s&gt;</c>).</param>
/// <param name="Suffix">After a single sequence (RoBERTa: <c>&lt;/s&gt;</c>).</param>
/// <param name="PairPrefix">Before the first sequence of a pair.</param>
/// <param name="PairMiddle">Between the two sequences of a pair (RoBERTa: <c>&lt;/s&gt;&lt;/s&gt;</c>).</param>
/// <param name="PairSuffix">After the second sequence of a pair.</param>
internal sealed record SpecialTokenTemplate(
    IReadOnlyList<int> Prefix, IReadOnlyList<int> Suffix, IReadOnlyList<int> PairPrefix, IReadOnlyList<int> PairMiddle, IReadOnlyList<int> PairSuffix)
{
    /// <summary>RoBERTa's <c>&lt;s&gt; A &lt;/s&gt;</c> and <c>&lt;s&gt; A &lt;/s&gt;&lt;/s&gt; B &lt;/s&gt;</c>.</summary>
    public static SpecialTokenTemplate Roberta(int cls, int sep) => new([cls], [sep], [cls], [sep, sep], [sep]);

    /// <summary>BERT's <c>[CLS] A [SEP]</c> and <c>[CLS] A [SEP] B [SEP]</c>.</summary>
    public static SpecialTokenTemplate Bert(int cls, int sep) => new([cls], [sep], [cls], [sep], [sep]);

    /// <summary>Number of ids added to a single sequence.</summary>
    public int SingleCount => Prefix.Count + Suffix.Count;

    /// <summary>Number of ids added to a pair.</summary>
    public int PairCount => PairPrefix.Count + PairMiddle.Count + PairSuffix.Count;

    /// <summary><c>Prefix A Suffix</c>.</summary>
    public int[] Apply(IReadOnlyList<int> a) => [.. Prefix, .. a, .. Suffix];

    /// <summary><c>PairPrefix A PairMiddle B PairSuffix</c>; <paramref name="firstLength"/> counts the ids up to the end of <c>PairMiddle</c>.</summary>
    public int[] Apply(IReadOnlyList<int> a, IReadOnlyList<int> b, out int firstLength)
    {
        firstLength = PairPrefix.Count + a.Count + PairMiddle.Count;
        return [.. PairPrefix, .. a, .. PairMiddle, .. b, .. PairSuffix];
    }
}
