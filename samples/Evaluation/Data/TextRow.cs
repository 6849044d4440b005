namespace Microsoft.ML.Shira.Evaluation.Data;

/// <summary>One labeled text as ML.NET loads it (the label is mapped to a key per task).</summary>
internal sealed class TextRow
{
    public string Text { get; set; } = "";

    public string Label { get; set; } = "";
}
