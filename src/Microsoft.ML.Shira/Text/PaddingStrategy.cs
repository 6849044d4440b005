namespace Microsoft.ML.Shira.Text;

/// <summary>How a batch is padded.</summary>
internal enum PaddingStrategy
{
    /// <summary>Pad every sequence to the longest one in the batch (Hugging Face's <c>padding=True</c>).</summary>
    Longest,

    /// <summary>Pad every sequence to the tokenizer's maximum length (<c>padding="max_length"</c>).</summary>
    MaxLength,
}
